"""The output rail of the chat proxy: the upstream's answer is judged before the user sees it.

Not streaming, the whole answer is judged and a harmful one is replaced by the safeguard
response. Streaming, the proxy keeps the upstream's server-sent events as they come, judges the
answer so far at each judgement point (a sentence end, or every N content chunks) and releases
the held events only once the text they carry has been judged safe; a harmful verdict stops the
relay, sends the safeguard message and closes the stream. Only the unjudged tail is ever held,
and what is relayed is the upstream's bytes unchanged.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from slm_guardian.verdict import Verdict

# Judges (conversation ending with the assistant's answer so far) -> verdict with a reply.
AnswerJudge = Callable[[list[dict]], Awaitable[Verdict]]

STREAM_CHECKS = ("sentence", "tokens")
_SENTENCE_END = re.compile(r"[.!?。！？…:;]\s*$|\n")


@dataclass(frozen=True)
class StreamCheck:
    """When a streamed answer is judged.

    "sentence": when a content chunk ends a sentence (or a line), and at the latest after
    `every` unjudged chunks; "tokens": every `every` content chunks (one token each from most
    servers). Either way, the rest is judged when the upstream finishes."""

    mode: str = "sentence"
    every: int = 24

    def __post_init__(self) -> None:
        if self.mode not in STREAM_CHECKS:
            raise ValueError(f"stream check must be one of {', '.join(STREAM_CHECKS)}, not {self.mode!r}")
        if self.every < 1:
            raise ValueError("the stream check interval must be at least 1 chunk")

    def due(self, delta: str, unjudged_chunks: int) -> bool:
        if unjudged_chunks >= self.every:
            return True
        return self.mode == "sentence" and bool(_SENTENCE_END.search(delta))


def with_answer(conversation: list[dict], answer: str) -> list[dict]:
    """The conversation the answer is judged in: the turns before it, then the answer."""
    return [*conversation, {"role": "assistant", "content": answer}]


def answers_of(completion: dict) -> dict[int, str]:
    """The text of each choice of a chat completion (choices without text are skipped)."""
    out = {}
    for i, choice in enumerate(completion.get("choices") or []):
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str) and content.strip():
            out[int(choice.get("index", i))] = content
    return out


def _event_data(event: bytes) -> str | None:
    """The `data:` payload of one server-sent event, None when it has none."""
    lines = [line[5:].lstrip() for line in event.decode("utf-8", "replace").splitlines() if line.startswith("data:")]
    return "\n".join(lines) if lines else None


def _deltas(data: str | None) -> tuple[dict[int, str], bool]:
    """(content added per choice index, whether the event ends the answer)."""
    if data is None:
        return {}, False
    if data.strip() == "[DONE]":
        return {}, True
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError:
        return {}, False
    added, finished = {}, False
    for i, choice in enumerate(chunk.get("choices") or [] if isinstance(chunk, dict) else []):
        if not isinstance(choice, dict):
            continue
        delta = choice.get("delta") or {}
        content = delta.get("content") if isinstance(delta, dict) else None
        if isinstance(content, str) and content:
            added[int(choice.get("index", i))] = content
        finished = finished or choice.get("finish_reason") is not None
    return added, finished


_EVENT_END = re.compile(rb"\r?\n\r?\n")


async def _events(raw_chunks: AsyncIterator[bytes], queue: asyncio.Queue) -> None:
    """Split the upstream's bytes into whole events; the queue ends with None, or the error."""
    pending = b""
    try:
        async for chunk in raw_chunks:
            pending += chunk
            while (end := _EVENT_END.search(pending)) is not None:
                await queue.put(pending[: end.end()])
                pending = pending[end.end():]
        if pending:
            await queue.put(pending)  # a trailing partial event, relayed as it came
    except Exception as exc:  # noqa: BLE001 - the consumer raises it (a broken upstream)
        await queue.put(exc)
        return
    await queue.put(None)


async def guarded_events(
    raw_chunks: AsyncIterator[bytes],
    conversation: list[dict],
    judge: AnswerJudge,
    check: StreamCheck,
    blocked_events: Callable[[Verdict], list[str]],
) -> AsyncIterator[bytes]:
    """The upstream's event stream, released only as far as its text has been judged safe.

    The upstream is read while a judgement runs, so a slow judge never slows the upstream: the
    next judgement covers everything that arrived meanwhile (the cadence adapts to the judge's
    speed) and only the events after the last safe verdict are held."""
    queue: asyncio.Queue = asyncio.Queue()
    reader = asyncio.create_task(_events(raw_chunks, queue))
    answers: dict[int, str] = {}  # per choice: the answer so far
    judged: dict[int, int] = {}  # per choice: how much of it the last safe verdict covered
    held: list[tuple[bytes, dict[int, int]]] = []  # events not released, with the answers' lengths after each
    unjudged_chunks, wanted, ended = 0, False, False
    judging: asyncio.Task | None = None
    next_event: asyncio.Future | None = asyncio.ensure_future(queue.get())

    def covered(lengths: dict[int, int]) -> bool:
        return all(judged.get(i, 0) >= n or not answers[i][:n].strip() for i, n in lengths.items())

    def unjudged() -> dict[int, str]:
        return {i: text for i, text in answers.items() if not covered({i: len(text)})}

    async def judge_all(texts: dict[int, str]) -> tuple[Verdict | None, dict[int, str]]:
        for text in texts.values():
            verdict = await judge(with_answer(conversation, text))
            if verdict.flagged:
                return verdict, texts
        return None, texts

    try:
        while True:
            if judging is None and (wanted or ended) and (todo := unjudged()):
                judging = asyncio.create_task(judge_all(todo))
                unjudged_chunks, wanted = 0, False
            while held and covered(held[0][1]):
                yield held.pop(0)[0]
            if ended and not held and judging is None:
                return
            waits = [task for task in (next_event, judging) if task is not None]
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            if judging in done:
                verdict, texts = judging.result()
                judging = None
                if verdict is not None:
                    for line in blocked_events(verdict):
                        yield line.encode()
                    return
                judged.update({i: len(text) for i, text in texts.items()})
            if next_event in done:
                item = next_event.result()
                next_event = None
                if item is None:
                    ended = True
                    continue
                if isinstance(item, Exception):
                    raise item
                next_event = asyncio.ensure_future(queue.get())
                added, finished = _deltas(_event_data(item))
                for index, text in added.items():
                    answers[index] = answers.get(index, "") + text
                held.append((item, {i: len(text) for i, text in answers.items()}))
                unjudged_chunks += bool(added)
                last = next(iter(added.values()), "")
                wanted = wanted or finished or (bool(added) and check.due(last, unjudged_chunks))
    finally:
        for task in (reader, next_event, judging):
            if task is not None:
                task.cancel()
