"""Micro-batching: concurrent requests share `check_batch` calls, in two lanes.

Short texts and long ones (over `long_chars` characters) queue apart, each lane with its own
worker thread, so a long document, judged in many windows, never holds up the short requests
that arrive while it is read: both lanes share the model, whose calls are one batch of
windows at a time (at most `scores.MAX_BATCH_TOKENS` tokens), so a short request waits for at
most one such batch of the long lane's, not for the whole document.

Within a lane, the texts that arrive within `wait_ms` of each other (up to `max_batch`) are
judged together, and the safeguard replies of the flagged ones are decoded together.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slm_guardian.guardian import Guardian, to_text
from slm_guardian.verdict import Verdict

# A text this long (~500 tokens) is judged in several windows: it goes to the long lane.
LONG_CHARS = 2_000


class Overloaded(RuntimeError):
    """The queue is full; the caller should retry later."""


@dataclass
class _Job:
    text: object  # a string, or a list of chat messages
    respond: bool
    future: asyncio.Future


class _Lane:
    """One queue and one worker thread that judges what it collects in micro-batches."""

    def __init__(self, name: str, guardian: Guardian, max_batch: int, wait_s: float, batch_replies: bool = True) -> None:
        self.guardian = guardian
        self.batch_replies = batch_replies
        self.max_batch = max_batch
        self.wait_s = wait_s
        self.queue: asyncio.Queue[_Job] = asyncio.Queue()
        self.in_flight = 0  # texts being judged right now
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"guardian-{name}")
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    def stop(self) -> None:
        if self.task:
            self.task.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def _collect(self) -> list[_Job]:
        loop = asyncio.get_running_loop()
        batch = [await self.queue.get()]
        deadline = loop.time() + self.wait_s
        while len(batch) < self.max_batch:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self.queue.get(), remaining))
            except asyncio.TimeoutError:
                break
        return [job for job in batch if not job.future.done()]  # drop cancelled callers

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._collect()
            if not batch:
                continue
            self.in_flight = len(batch)
            try:
                verdicts = await loop.run_in_executor(self.pool, self._judge, batch)
            except Exception as exc:  # noqa: BLE001 - every waiting caller must hear about it
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(exc)
                continue
            finally:
                self.in_flight = 0
            for job, verdict in zip(batch, verdicts):
                if not job.future.done():
                    job.future.set_result(verdict)

    def _judge(self, batch: list[_Job]) -> list[Verdict]:
        verdicts = self.guardian.check_batch([job.text for job in batch], respond=False, batch_size=self.max_batch)
        wanted = [i for i, (job, verdict) in enumerate(zip(batch, verdicts)) if job.respond and verdict.flagged]
        if self.batch_replies:
            # One batched decode for every flagged text of the micro-batch.
            answered = self.guardian.with_responses([verdicts[i] for i in wanted], [batch[i].text for i in wanted]) if wanted else []
        else:
            answered = [self.guardian.with_response(verdicts[i], batch[i].text) for i in wanted]
        for i, verdict in zip(wanted, answered):
            verdicts[i] = verdict
        return verdicts


class MicroBatcher:
    """Collects texts for up to `wait_ms` (or `max_batch` texts) and judges them together, short
    and long texts in separate lanes; the event loop never blocks on the model."""

    def __init__(
        self, guardian: Guardian, max_batch: int = 16, wait_ms: float = 5.0, max_queue: int = 256, long_chars: int = LONG_CHARS, batch_replies: bool = True
    ) -> None:
        self.guardian = guardian
        self.batch_replies = batch_replies
        self.max_batch = max_batch
        self.wait_s = wait_ms / 1000
        self.max_queue = max_queue
        self.long_chars = long_chars
        self._lanes: dict[str, _Lane] = {}

    async def start(self) -> None:
        # Long documents are judged one at a time: each is already many windows.
        self._lanes = {
            "short": _Lane("short", self.guardian, self.max_batch, self.wait_s, self.batch_replies),
            "long": _Lane("long", self.guardian, 1, 0.0, self.batch_replies),
        }
        for lane in self._lanes.values():
            lane.start()

    async def stop(self) -> None:
        for lane in self._lanes.values():
            lane.stop()

    @property
    def queued(self) -> int:
        """Texts waiting for a worker."""
        return sum(lane.queue.qsize() for lane in self._lanes.values())

    @property
    def in_flight(self) -> int:
        """Texts being judged now."""
        return sum(lane.in_flight for lane in self._lanes.values())

    @property
    def depth(self) -> int:
        """Texts accepted and not answered yet: queued plus in flight."""
        return self.queued + self.in_flight

    def lane_depths(self) -> dict[str, dict[str, int]]:
        return {name: {"queued": lane.queue.qsize(), "in_flight": lane.in_flight} for name, lane in self._lanes.items()}

    async def check(self, texts: list, respond: bool = True) -> list[Verdict]:
        """Verdicts for `texts`, in order; raises Overloaded when the queue is full."""
        assert self._lanes, "start() the batcher first"
        if self.queued + len(texts) > self.max_queue:
            raise Overloaded(f"{self.queued} texts queued")
        loop = asyncio.get_running_loop()
        jobs = [_Job(t, respond, loop.create_future()) for t in texts]
        for job in jobs:
            self._lanes[self._lane_of(job.text)].queue.put_nowait(job)
        return list(await asyncio.gather(*(job.future for job in jobs)))

    def _lane_of(self, text: object) -> str:
        try:
            length = len(text) if isinstance(text, str) else len(to_text(text))
        except Exception:  # noqa: BLE001 - a malformed conversation fails in the guardian, with its message
            return "short"
        return "long" if length > self.long_chars else "short"

    async def run_exclusive(self, fn, *args):
        """Run another model call (e.g. a forced safeguard) on the short lane's model thread."""
        return await asyncio.get_running_loop().run_in_executor(self._lanes["short"].pool, fn, *args)
