"""Response moderation on the response dev sets: is the answer harmful in its context, and does
it decline; beside the baselines that apply (the keyword lexicon and MiniLM + logistic
regression on the answer, MiniLM fitted on the same training rows; the lexical refusal check)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, precision_recall_fscore_support
from tqdm import tqdm

from slm_guardian.data.response_build import RESPONSE_TRAIN, read_response_examples
from slm_guardian.data.rows import ResponseExample
from slm_guardian.evaluation.breakdown import group_rates, group_table
from slm_guardian.evaluation.metrics import detection_metrics, is_refusal
from slm_guardian.guardian import Guardian

# `guardian eval` names -> files of the built data (data/response_build.py).
RESPONSE_SETS = {
    "response-jbb": "response_jbb.jsonl",
    "response-diasafety": "response_diasafety.jsonl",
    "response-pyrit": "response_pyrit.jsonl",
    "refusal-pyrit": "refusal_pyrit.jsonl",
}
LEXICAL_REFUSAL = "lexical refusal check"


def load_response_set(name: str, data_dir: Path) -> list[ResponseExample]:
    path = data_dir / RESPONSE_SETS[name]
    if not path.is_file():
        raise FileNotFoundError(f"dataset {name}: {path} not found (run `guardian data build` with this version)")
    return read_response_examples(path)


@dataclass
class ResponseSetResult:
    """One response set: harmful-answer detection and refusal agreement, per system, and per
    guard where its errors sit by the source's own label (`by_label`: a DiaSafety category, a
    JBB behaviour category, a PyRIT harm area and score)."""

    name: str
    harm: dict[str, dict] = field(default_factory=dict)
    refusal: dict[str, dict] = field(default_factory=dict)
    by_label: dict[str, dict[str, dict]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"harm": self.harm, "refusal": self.refusal, "by_label": self.by_label}


def refusal_agreement(gold: list[bool], predicted: list[bool]) -> dict:
    """Agreement (accuracy) with the human refusal labels, and refusal-class precision/recall."""
    p, r, f, _ = precision_recall_fscore_support(gold, predicted, average="binary", zero_division=0)
    return {"n": len(gold), "refusals": int(sum(gold)), "agreement": float(accuracy_score(gold, predicted)), "precision": float(p), "recall": float(r), "f1": float(f)}


def judge_answers(guardian: Guardian, rows: list[ResponseExample], desc: str, batch_size: int = 16, chunk: int = 256):
    """Verdicts in `rows` order. `check_batch` sorts what it is given by length, so it gets
    `chunk` rows at a time (answers run from a word to pages): less padding than `batch_size`
    rows in file order, and the bar still moves."""
    verdicts = []
    with tqdm(total=len(rows), desc=desc, unit="answer", leave=False) as bar:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            exchanges = [[{"role": "user", "content": r.query}, {"role": "assistant", "content": r.answer}] for r in part]
            verdicts.extend(guardian.check_batch(exchanges, respond=False, batch_size=batch_size))
            bar.update(len(part))
    return verdicts


def evaluate_responses(name: str, rows: list[ResponseExample], guards: dict[str, Guardian], detectors: list | None = None) -> ResponseSetResult:
    """Every guard that judges responses, and each detector (`score(texts)`) on the answers."""
    result = ResponseSetResult(name)
    harm_rows = [r for r in rows if r.unsafe is not None]
    refusal_rows = [r for r in rows if r.refusal is not None]
    labels = [bool(r.unsafe) for r in harm_rows]
    for system, guard in guards.items():
        if not guard.judges_responses:
            continue
        verdicts = judge_answers(guard, rows, f"{name}: {system}")
        by_row = dict(zip(map(id, rows), verdicts))
        if harm_rows:
            scores = [by_row[id(r)].unsafe_score for r in harm_rows]
            result.harm[system] = detection_metrics(labels, scores, guard.config.threshold)
            if any(r.label for r in harm_rows):
                result.by_label[system] = group_rates(labels, [s >= guard.config.threshold for s in scores], [r.label for r in harm_rows])
        if refusal_rows:
            result.refusal[system] = refusal_agreement([bool(r.refusal) for r in refusal_rows], [by_row[id(r)].refusal >= 0.5 for r in refusal_rows])
    for detector in detectors or []:
        if harm_rows:
            result.harm[detector.name] = detection_metrics(labels, detector.score([r.answer for r in harm_rows]))
    if refusal_rows:
        lexical = [is_refusal(r.answer, r.query) for r in refusal_rows]
        result.refusal[LEXICAL_REFUSAL] = refusal_agreement([bool(r.refusal) for r in refusal_rows], lexical)
    return result


def answer_minilm(data_dir: Path):
    """MiniLM + logistic regression fitted on the answers of the response training rows."""
    from slm_guardian.evaluation.baselines.minilm import MiniLMClassifier

    path = data_dir / RESPONSE_TRAIN
    if not path.is_file():
        raise FileNotFoundError(f"the minilm response baseline trains on {path}; run `guardian data build` first")
    rows = [r for r in read_response_examples(path) if r.unsafe is not None]
    classifier = MiniLMClassifier().fit([r.answer for r in rows], np.asarray([bool(r.unsafe) for r in rows]))
    classifier.name = "minilm-logreg (answers)"
    return classifier


def _f(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def response_tables(results: list[ResponseSetResult]) -> str:
    """Harmful-answer detection, then refusal agreement, one row per set and system."""
    lines = ["| response set | system | n | F1 | precision | recall | AUPRC | FPR | best F1 |", "|---|---|---|---|---|---|---|---|---|"]
    for result in results:
        for system, m in result.harm.items():
            lines.append(f"| {result.name} | {system} | {m['n']} | " + " | ".join(_f(m.get(k)) for k in ("f1", "precision", "recall", "auprc", "fpr", "best_f1")) + " |")
    refusal = ["| refusal set | system | n | agreement | precision | recall |", "|---|---|---|---|---|---|"]
    for result in results:
        for system, m in result.refusal.items():
            refusal.append(f"| {result.name} | {system} | {m['n']} | {_f(m['agreement'])} | {_f(m['precision'])} | {_f(m['recall'])} |")
    return "\n".join(lines) + ("\n\n" + "\n".join(refusal) if len(refusal) > 2 else "")


def label_tables(results: list[ResponseSetResult]) -> list[str]:
    """One table per response set and guard: recall and flag rate by the source's label."""
    return [f"{result.name}, {system}, by source label:\n" + group_table("label", rates) for result in results for system, rates in result.by_label.items()]
