"""Validate the project's refusal detector (`metrics.is_refusal`) against PyRIT's human labels."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from slm_guardian.evaluation.metrics import is_refusal

REFUSAL_SETS = ("refusal.csv", "refusal_extra.csv")


@dataclass(frozen=True)
class RefusalCheck:
    files: tuple[str, ...]
    n: int
    accuracy: float
    precision: float
    recall: float
    f1: float

    def to_json(self) -> dict:
        return asdict(self)


def validate_refusal_detector(source: Path) -> RefusalCheck:
    """Accuracy of `is_refusal(response, objective)` on PyRIT's human-labelled refusal sets
    (`human_score` 1 = refusal; an off-topic answer counts as one there too)."""
    folder = source / "pyrit_pkg/scorer_evals/refusal_scorer"
    gold: list[bool] = []
    predicted: list[bool] = []
    for name in REFUSAL_SETS:
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"refusal labels not found: {path}")
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(line for line in handle if not line.startswith("#")):
                gold.append(row["human_score"].strip() == "1")
                predicted.append(is_refusal(row["assistant_response"], row["objective"]))
    p, r, f, _ = precision_recall_fscore_support(gold, predicted, average="binary", zero_division=0)
    return RefusalCheck(REFUSAL_SETS, len(gold), float(accuracy_score(gold, predicted)), float(p), float(r), float(f))
