"""Reference systems the guardian is compared with in `guardian eval --baselines ...`.

Detectors expose `name` and `score(texts) -> list[float]` (higher means more likely unsafe);
responders expose `name` and `respond(texts) -> list[str]`. All are built by `make_baseline`.
"""

from slm_guardian.evaluation.baselines.keyword import KeywordFilter, ProfanityFilter
from slm_guardian.evaluation.baselines.registry import BASELINE_NAMES, Detector, Responder, make_baseline

__all__ = ["BASELINE_NAMES", "Detector", "KeywordFilter", "ProfanityFilter", "Responder", "make_baseline"]
