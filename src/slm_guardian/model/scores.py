"""Scoring shared by both backends: the scores of one query, and how long texts are judged in
windows (the worst window decides)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace

from slm_guardian.model.format import GuardFormat


@dataclass(frozen=True)
class Scores:
    """Raw model scores for one query: P(harm) and P(category | harm) for every category; for
    a judged response also P(the response declines), else None."""

    unsafe: float
    categories: dict[str, float]
    refusal: float | None = None


# Padded tokens per forward pass. Measured on the 2-core CPU (CTranslate2 int8), throughput
# in tokens/s peaks between ~256 and ~1,000 tokens a pass and falls beyond: 64 short queries
# in one pass ran at 675 tokens/s against 909 for 16; on dev, batches capped at 512
# tokens made chunks of 64 rows the fastest (docs/performance.md).
MAX_BATCH_TOKENS = 512


def batch_plan(lengths: Sequence[int], batch_size: int, max_tokens: int = MAX_BATCH_TOKENS) -> list[list[int]]:
    """Indices of `lengths` in batches of similar length: sorted, at most `batch_size` rows
    and at most `max_tokens` padded tokens each (a single longer row still gets its own)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    for i in order:
        if batches and len(batches[-1]) < batch_size and (len(batches[-1]) + 1) * lengths[i] <= max_tokens:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def score_windows(
    fmt: GuardFormat, texts: Sequence[str], batch_size: int, score_batch, max_tokens: int | None = MAX_BATCH_TOKENS, pool: Executor | None = None
) -> list[Scores]:
    """Each text's scores from its worst window (highest unsafe score), windows batched by
    similar length (`batch_plan`; `max_tokens` None: rows only); `score_batch` scores one
    batch of detection ids (on `pool`'s threads, when given)."""
    return score_views([fmt.detection_windows(text) for text in texts], batch_size, score_batch, max_tokens, pool=pool)


def score_response_windows(
    fmt: GuardFormat, pairs: Sequence[tuple[str, str]], batch_size: int, score_batch, max_tokens: int | None = MAX_BATCH_TOKENS, pool: Executor | None = None
) -> list[Scores]:
    """Each (query, answer) pair's scores: verdict and categories from the answer's worst
    window, the refusal score from its first (head-and-tail) view, where a refusal says so."""
    views = [fmt.response_windows(query, answer) for query, answer in pairs]
    return score_views(views, batch_size, score_batch, max_tokens, refusal_from_first=True, pool=pool)


def score_views(
    views: list[list[list[int]]], batch_size: int, score_batch, max_tokens: int | None, refusal_from_first: bool = False, pool: Executor | None = None
) -> list[Scores]:
    """Each item's scores from its worst view (prepared ids; a one-view item: that view's),
    every view of every item batched together by length (`batch_plan`). With a `pool`, batches
    are scored on its threads, as many at once as it has (for a runtime that releases the GIL
    and runs one model replica per thread, as CTranslate2 does); the result is the same."""
    return worst_of(score_each_view(views, batch_size, score_batch, max_tokens, pool=pool), refusal_from_first)


def score_each_view(
    views: list[list[list[int]]], batch_size: int, score_batch, max_tokens: int | None, pool: Executor | None = None
) -> list[list[Scores]]:
    """The scores of every view of every item, grouped as `views` is, all views batched
    together by length (`batch_plan`; on `pool`'s threads, when given)."""
    windows = [ids for group in views for ids in group]
    plan = batch_plan([len(ids) for ids in windows], batch_size, max_tokens or sys.maxsize)
    batches = [[windows[i] for i in chunk] for chunk in plan]
    if pool is not None and len(batches) > 1:
        results = list(pool.map(score_batch, batches))
    else:
        results = [score_batch(batch) for batch in batches]
    flat: list[Scores | None] = [None] * len(windows)
    for chunk, batch_scores in zip(plan, results):
        for position, scores in zip(chunk, batch_scores):
            flat[position] = scores
    grouped, start = [], 0
    for group in views:
        grouped.append(flat[start : start + len(group)])
        start += len(group)
    return grouped  # type: ignore[return-value]


def worst_of(scored: list[list[Scores]], refusal_from_first: bool = False) -> list[Scores]:
    """Each item's worst view (highest unsafe score; the first of equals); with
    `refusal_from_first`, carrying the refusal score of its first view (for an answer, the
    head-and-tail view, where a refusal says so)."""
    best = [max(group, key=lambda scores: scores.unsafe) for group in scored]
    if refusal_from_first:
        best = [replace(worst, refusal=group[0].refusal) for worst, group in zip(best, scored)]
    return best


def worst_window(fmt: GuardFormat, text: str, score_batch) -> list[int]:
    """The detection ids of the window that scores most unsafe (the only one for short text)."""
    windows = fmt.detection_windows(text)
    if len(windows) == 1:
        return windows[0]
    scores = score_batch(windows)
    return windows[max(range(len(windows)), key=lambda i: scores[i].unsafe)]
