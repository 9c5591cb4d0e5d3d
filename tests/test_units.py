"""Pieces that need no model: window scoring, the float32 recheck band, the micro-batcher's
overload and cancellation, batches scored from several threads, CSV output whose columns change between rows, and the bench's
classify table."""

from __future__ import annotations

import asyncio
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from slm_guardian.batch.records import RecordWriter
from slm_guardian.evaluation.bench import classify_table
from slm_guardian.model.scores import Scores, score_windows, worst_window
from slm_guardian.verdict import Verdict

CODES = ("S1", "S2")


def _scores(unsafe: float) -> Scores:
    return Scores(unsafe=unsafe, categories={"S1": 0.5, "S2": 0.5})


class WindowFormat:
    """Splits a text into windows at '|'; a window's ids are its characters' codes."""

    def detection_windows(self, text: str) -> list[list[int]]:
        return [[ord(c) for c in part] for part in text.split("|")]


def _score_by_content(batch: list[list[int]]) -> list[Scores]:
    # a window containing "x" is harmful; the batch sizes seen are recorded
    _score_by_content.sizes.append(len(batch))
    return [_scores(0.9 if ord("x") in ids else 0.1) for ids in batch]


def test_the_worst_window_decides_and_order_is_kept():
    _score_by_content.sizes = []
    texts = ["aa|bb|cx", "dd", "x|ee", "ff|gg"]
    scores = score_windows(WindowFormat(), texts, batch_size=3, score_batch=_score_by_content)
    assert [s.unsafe for s in scores] == [0.9, 0.1, 0.9, 0.1]
    assert _score_by_content.sizes == [3, 3, 2]  # 8 windows, batched across texts
    assert worst_window(WindowFormat(), "aa|cx|bb", _score_by_content) == [ord("c"), ord("x")]


def test_batches_scored_from_several_threads_give_the_same_scores_in_order():
    both_in_flight = threading.Barrier(2, timeout=5)  # breaks (and fails) unless two batches run at once
    calls = []
    lock = threading.Lock()

    def score_batch(batch: list[list[int]]) -> list[Scores]:
        with lock:
            calls.append(threading.current_thread().name)
            first_two = len(calls) <= 2
        if first_two:
            both_in_flight.wait()
        return _score_by_content(batch)

    _score_by_content.sizes = []
    texts = ["aa|bb|cx", "dd", "x|ee", "ff|gg", "hh", "ix|jj"]
    alone = score_windows(WindowFormat(), texts, batch_size=2, score_batch=_score_by_content)
    with ThreadPoolExecutor(2) as pool:
        together = score_windows(WindowFormat(), texts, batch_size=2, score_batch=score_batch, pool=pool)
    assert together == alone
    assert [s.unsafe for s in together] == [0.9, 0.1, 0.9, 0.1, 0.1, 0.9]
    assert len(calls) == 6 and threading.main_thread().name not in calls


def test_scores_in_the_recheck_band_are_recomputed_in_float32_where_they_can_decide_the_verdict():
    from slm_guardian.model.ct2_model import CT2GuardModel

    model = object.__new__(CT2GuardModel)  # the band logic alone, without loading a model
    int8, exact = object(), object()
    model.detector, model._exact, model.recheck_band, model.rechecked = int8, exact, (0.3, 0.7), 0
    model._count_lock, model._pool, model.max_batch_tokens = threading.Lock(), None, None
    quick = {0: 0.05, 1: 0.31, 2: 0.69, 3: 0.95}
    model._forward = lambda detector, batch: [_scores(quick[b[0]] if detector is int8 else 0.5) for b in batch]
    items = [[[0]], [[1]], [[2]], [[3]], [[3], [1]], [[1], [0], [2]]]
    out = model.window_scores(items)
    # in the band: rechecked, unless another window of the same item is flagged beyond it
    assert [[s.unsafe for s in item] for item in out] == [[0.05], [0.5], [0.5], [0.95], [0.95, 0.31], [0.5, 0.05, 0.5]]
    assert model.rechecked == 4
    model.recheck_band = None
    assert [[s.unsafe for s in item] for item in model.window_scores([[[1]]])] == [[0.31]]


def test_the_recheck_band_follows_the_threshold_and_stays_within_scores():
    from slm_guardian.model.ct2_model import DEFAULT_RECHECK_BAND, RECHECK_MARGIN, band_around

    assert band_around(0.5, 0.2) == pytest.approx((0.3, 0.7))
    assert band_around(0.9, 0.2) == pytest.approx((0.7, 1.0)) and band_around(0.1, 0.2) == pytest.approx((0.0, 0.3))
    assert DEFAULT_RECHECK_BAND == band_around(0.5, RECHECK_MARGIN)


class SlowGuardian:
    """Answers a batch holding a text of `blocking_chars` or more (any batch, by default) only
    after `release` is set, others at once; records the texts of each batch."""

    def __init__(self, blocking_chars: int = 0) -> None:
        self.release = threading.Event()
        self.blocking_chars = blocking_chars
        self.batches: list[list[str]] = []

    def check_batch(self, texts, respond=False, batch_size=16):
        if any(len(t) >= self.blocking_chars for t in texts):
            self.release.wait(5)
        self.batches.append(list(texts))
        return [Verdict(flagged=False, unsafe_score=0.0, categories=[], category_scores={c: 0.0 for c in CODES}) for _ in texts]


def test_a_full_queue_is_refused_and_cancelled_callers_are_dropped():
    from slm_guardian.serving.batcher import MicroBatcher, Overloaded

    async def scenario():
        guardian = SlowGuardian()
        batcher = MicroBatcher(guardian, max_batch=2, wait_ms=1, max_queue=3)
        await batcher.start()
        first = asyncio.create_task(batcher.check(["a"]))  # taken by the worker, which blocks
        await asyncio.sleep(0.05)
        queued = [asyncio.create_task(batcher.check([t])) for t in ("b", "c", "d")]
        await asyncio.sleep(0.05)
        with pytest.raises(Overloaded):
            await batcher.check(["e"])
        queued[1].cancel()  # "c" gives up while waiting
        guardian.release.set()
        assert len(await first) == 1
        answered = await asyncio.gather(queued[0], queued[2])
        await batcher.stop()
        return guardian.batches, answered

    batches, answered = asyncio.run(scenario())
    assert all(len(a) == 1 for a in answered)
    assert "c" not in [t for batch in batches for t in batch]
    assert sorted(t for batch in batches for t in batch) == ["a", "b", "d"]


def test_a_long_text_does_not_hold_up_short_ones_and_depth_counts_work_in_flight():
    from slm_guardian.serving.batcher import MicroBatcher

    async def scenario():
        guardian = SlowGuardian(blocking_chars=101)
        batcher = MicroBatcher(guardian, max_batch=4, wait_ms=1, long_chars=100)
        await batcher.start()
        long = asyncio.create_task(batcher.check(["x" * 500]))
        await asyncio.sleep(0.05)
        seen = (batcher.depth, batcher.in_flight, batcher.lane_depths()["long"]["in_flight"])
        short = await asyncio.wait_for(batcher.check(["short one", "short two"]), timeout=2)  # answered while the long one waits
        pending = not long.done()
        guardian.release.set()
        await long
        await batcher.stop()
        return seen, len(short), pending

    seen, answered, pending = asyncio.run(scenario())
    assert seen == (1, 1, 1) and answered == 2 and pending


def test_csv_output_refuses_a_column_first_seen_in_a_later_row():
    handle = io.StringIO()
    writer = RecordWriter(handle, "csv")
    writer.write({"text": "a", "flagged": False, "categories": ["S1"]})
    writer.write({"text": "b", "flagged": True})  # a missing column is left empty
    with pytest.raises(ValueError, match="columns the CSV header lacks \\(source\\)"):
        writer.write({"text": "c", "flagged": False, "source": "x"})
    lines = handle.getvalue().splitlines()
    assert lines == ["text,flagged,categories", 'a,False,"[""S1""]"', "b,True,"]


def test_moderation_fields_survive_a_jsonl_round_trip():
    handle = io.StringIO()
    writer = RecordWriter(handle, "jsonl")
    writer.write({"text": "a", "extra": {"k": [1, 2]}})
    writer.write({"other": 1})
    assert handle.getvalue() == '{"text": "a", "extra": {"k": [1, 2]}}\n{"other": 1}\n'


def test_classify_table_prints_each_path_with_a_dash_for_a_batch_size_not_run():
    rows = [
        {"set": "dev (256 rows)", "path": "now", "rows_per_s": {16: 21.04, 64: 25.96}},
        {"set": "long texts (24 rows)", "path": "now", "rows_per_s": {"16": 1.04}},  # keys as read back from JSON
    ]
    lines = classify_table(rows).splitlines()
    assert lines[0] == "| set | path | batch 16 | batch 64 |"
    assert lines[2:] == ["| dev (256 rows) | now | 21.0 | 26.0 |", "| long texts (24 rows) | now | 1.0 | – |"]
