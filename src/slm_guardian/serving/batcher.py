"""Micro-batching: concurrent requests share `check_batch` calls on one worker thread."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slm_guardian.guardian import Guardian
from slm_guardian.verdict import Verdict


class Overloaded(RuntimeError):
    """The queue is full; the caller should retry later."""


@dataclass
class _Job:
    text: object  # a string, or a list of chat messages
    respond: bool
    future: asyncio.Future


class MicroBatcher:
    """Collects texts for up to `wait_ms` (or `max_batch` texts) and judges them together.

    The model runs on a single worker thread, so the event loop never blocks and the model
    is never called from two threads at once.
    """

    def __init__(self, guardian: Guardian, max_batch: int = 16, wait_ms: float = 5.0, max_queue: int = 256) -> None:
        self.guardian = guardian
        self.max_batch = max_batch
        self.wait_s = wait_ms / 1000
        self.max_queue = max_queue
        self._queue: asyncio.Queue[_Job] | None = None
        self._task: asyncio.Task | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guardian-model")

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)

    @property
    def depth(self) -> int:
        return self._queue.qsize() if self._queue else 0

    async def check(self, texts: list[str], respond: bool = True) -> list[Verdict]:
        """Verdicts for `texts`, in order; raises Overloaded when the queue is full."""
        assert self._queue is not None, "start() the batcher first"
        if self._queue.qsize() + len(texts) > self.max_queue:
            raise Overloaded(f"{self._queue.qsize()} texts queued")
        loop = asyncio.get_running_loop()
        jobs = [_Job(t, respond, loop.create_future()) for t in texts]
        for job in jobs:
            self._queue.put_nowait(job)
        return list(await asyncio.gather(*(job.future for job in jobs)))

    async def run_exclusive(self, fn, *args):
        """Run another model call (e.g. a forced safeguard) on the model thread."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _run(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = loop.time() + self.wait_s
            while len(batch) < self.max_batch:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), remaining))
                except asyncio.TimeoutError:
                    break
            batch = [job for job in batch if not job.future.done()]  # drop cancelled callers
            if not batch:
                continue
            try:
                verdicts = await loop.run_in_executor(self._pool, self._judge, batch)
            except Exception as exc:  # noqa: BLE001 - every waiting caller must hear about it
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(exc)
                continue
            for job, verdict in zip(batch, verdicts):
                if not job.future.done():
                    job.future.set_result(verdict)

    def _judge(self, batch: list[_Job]) -> list[Verdict]:
        verdicts = self.guardian.check_batch([job.text for job in batch], respond=False, batch_size=self.max_batch)
        out = []
        for job, verdict in zip(batch, verdicts):
            if job.respond and verdict.flagged:
                verdict = self.guardian.with_response(verdict, job.text)
            out.append(verdict)
        return out
