"""Scoring shared by both backends: the scores of one query, and how long texts are judged in
windows (the worst window decides)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slm_guardian.model.format import GuardFormat


@dataclass(frozen=True)
class Scores:
    """Raw model scores for one query: P(harm) and P(category | harm) for every category."""

    unsafe: float
    categories: dict[str, float]


def score_windows(fmt: GuardFormat, texts: Sequence[str], batch_size: int, score_batch) -> list[Scores]:
    """Each text's scores from its worst window (highest unsafe score), windows batched by
    similar length; `score_batch` scores one batch of detection ids."""
    windows = [(index, ids) for index, text in enumerate(texts) for ids in fmt.detection_windows(text)]
    order = sorted(range(len(windows)), key=lambda i: len(windows[i][1]))
    best: list[Scores | None] = [None] * len(texts)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        for position, scores in zip(chunk, score_batch([windows[i][1] for i in chunk])):
            index = windows[position][0]
            if best[index] is None or scores.unsafe > best[index].unsafe:
                best[index] = scores
    return best  # type: ignore[return-value]


def worst_window(fmt: GuardFormat, text: str, score_batch) -> list[int]:
    """The detection ids of the window that scores most unsafe (the only one for short text)."""
    windows = fmt.detection_windows(text)
    if len(windows) == 1:
        return windows[0]
    scores = score_batch(windows)
    return windows[max(range(len(windows)), key=lambda i: scores[i].unsafe)]
