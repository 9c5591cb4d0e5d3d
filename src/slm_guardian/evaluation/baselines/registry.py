"""Names accepted by `--baselines` and how each system is built."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from slm_guardian.taxonomy import Taxonomy


class Detector(Protocol):
    name: str

    def score(self, texts: Sequence[str]) -> list[float]: ...


class Responder(Protocol):
    name: str

    def respond(self, texts: Sequence[str]) -> list[str]: ...


DETECTORS = ("keyword", "profanity", "minilm", "zero-shot")
RESPONDERS = ("static", "prompted-refusal")
BASELINE_NAMES = DETECTORS + RESPONDERS


def make_baseline(name: str, taxonomy: Taxonomy, train_path: Path, base_model: str | None = None, progress: Callable[[str], None] = lambda _: None) -> Detector | Responder:
    """Build one baseline; `minilm` is fitted on `train_path` (the guardian's own training set)."""
    from slm_guardian.evaluation.baselines.base_slm import PromptedRefuser, StaticRefuser, ZeroShotJudge
    from slm_guardian.evaluation.baselines.keyword import KeywordFilter, ProfanityFilter

    if name == "keyword":
        return KeywordFilter(taxonomy)
    if name == "profanity":
        return ProfanityFilter()
    if name == "zero-shot":
        return ZeroShotJudge(taxonomy, base_model)
    if name == "static":
        return StaticRefuser()
    if name == "prompted-refusal":
        return PromptedRefuser(base_model)
    if name == "minilm":
        from slm_guardian.evaluation.baselines.minilm import MiniLMClassifier
        from slm_guardian.data.build import read_examples

        if not train_path.is_file():
            raise FileNotFoundError(f"the minilm baseline trains on {train_path}; run `guardian data build` first")
        examples = read_examples(train_path)
        progress(f"fitting minilm on {len(examples)} training rows")
        return MiniLMClassifier().fit([e.text for e in examples], [e.unsafe for e in examples])
    raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(BASELINE_NAMES)}")
