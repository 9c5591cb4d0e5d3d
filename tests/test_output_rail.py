"""The chat proxy's output rail: the upstream's answer is judged before the user sees it.

The event-stream logic is tested with a scripted judge (no model); the proxy end to end over
real sockets, with the official openai client, uses the shipped guardian for queries and
replies and a scripted answer judge (an answer is harmful iff it holds HARM_MARKER), so these
tests check what the proxy relays, holds and cuts, apart from what the model scores.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import httpx
import openai
import pytest

from servers import HARM_MARKER, HARMFUL_ANSWER, SAFE_PIECES, TURNING_PIECES, UPSTREAM_ANSWER, ServerThread
from slm_guardian.serving.app import create_app
from slm_guardian.serving.openai_format import blocked_stream
from slm_guardian.serving.output_rail import StreamCheck, guarded_events
from slm_guardian.serving.settings import ServerSettings
from slm_guardian.verdict import CategoryScore, Verdict

CONVERSATION = [{"role": "user", "content": "How do I set up a party?"}]


def _verdict(answer: str) -> Verdict:
    if HARM_MARKER in answer:
        return Verdict(True, 0.99, [CategoryScore("S9", "Indiscriminate Weapons", 0.99)], {"S9": 0.99}, judged="response", refusal=0.01)
    return Verdict(False, 0.01, [], {"S9": 0.01}, judged="response", refusal=0.01)


def _sse(pieces) -> list[bytes]:
    events = [{"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    events += [{"choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]} for p in pieces]
    events += [{"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
    return [f"data: {json.dumps(e)}\n\n".encode() for e in events] + [b"data: [DONE]\n\n"]


def _run(pieces, check: StreamCheck, split_at: int | None = None, judge_s: float = 0.0):
    """Stream `pieces` through the rail; returns (bytes out, (answer judged, text the client
    had received then) per judgement, bytes in). The upstream pauses between chunks, so an
    instant judge finishes before the next chunk and the judgement points are deterministic."""
    raw = b"".join(_sse(pieces))
    # Chunks that cut events anywhere, as a network does.
    size = split_at or len(raw)
    chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
    received: list[bytes] = []
    judged: list[tuple[str, str]] = []

    async def upstream():
        for chunk in chunks:
            await asyncio.sleep(0.001)
            yield chunk

    async def judge(conversation):
        assert conversation[:-1] == CONVERSATION and conversation[-1]["role"] == "assistant"
        judged.append((conversation[-1]["content"], _content(b"".join(received))))
        await asyncio.sleep(judge_s)
        return _verdict(conversation[-1]["content"])

    async def consume():
        async for event in guarded_events(upstream(), CONVERSATION, judge, check, lambda v: blocked_stream(replace_reply(v), "m", rail="output")):
            received.append(event)

    asyncio.run(consume())
    return b"".join(received), judged, raw


def replace_reply(verdict: Verdict) -> Verdict:
    return replace(verdict, response="I can't help with that: it could cause serious harm.")


def _content(stream: bytes) -> str:
    text = ""
    for line in stream.decode().splitlines():
        if line.startswith("data: {"):
            for choice in json.loads(line[6:]).get("choices", []):
                text += choice.get("delta", {}).get("content") or ""
    return text


@pytest.mark.parametrize("split_at", [None, 7, 1])
def test_a_safe_stream_is_relayed_byte_for_byte(split_at):
    out, judged, raw = _run(SAFE_PIECES, StreamCheck("sentence", 24), split_at)
    assert out == raw
    # judged at each sentence end, and never twice over the same text
    assert [a for a, _ in judged] == ["Paris is the capital of France. ", "".join(SAFE_PIECES)]


def test_a_stream_that_turns_harmful_is_cut_before_the_harmful_text():
    out, judged, _ = _run(TURNING_PIECES, StreamCheck("sentence", 24), split_at=5)
    text = _content(out)
    assert HARM_MARKER not in text
    assert text.startswith("Sure, here is how. ") and text.endswith("it could cause serious harm.")
    assert b'"finish_reason": "content_filter"' in out and out.endswith(b"data: [DONE]\n\n")
    assert json.loads(out.decode().split("data: ")[-2])["slm_guardian"]["blocked"] == "output"
    # At every judgement the client held only text an earlier judgement had found safe.
    safe_so_far = ""
    for answer, seen in judged:
        assert seen == safe_so_far
        if HARM_MARKER not in answer:
            safe_so_far = answer


def test_a_slow_judge_covers_what_arrived_meanwhile():
    # Judging takes longer than the upstream's next sentences: fewer, longer judgements, and
    # still nothing unjudged relayed and the bytes unchanged.
    pieces = [f"Sentence number {i}. " for i in range(12)]
    out, judged, raw = _run(pieces, StreamCheck("sentence", 24), split_at=40, judge_s=0.05)
    assert out == raw and 1 < len(judged) < 12
    assert judged[-1][0] == "".join(pieces)
    for (answer, _), (_, seen_next) in zip(judged, judged[1:]):
        assert len(seen_next) <= len(answer)


def test_tokens_mode_judges_every_n_chunks():
    _, judged, _ = _run(SAFE_PIECES, StreamCheck("tokens", 2))
    assert [a for a, _ in judged] == ["Paris is the capital ", "Paris is the capital of France. It is on ", "".join(SAFE_PIECES)]


def test_sentence_mode_judges_a_long_sentence_after_n_chunks():
    pieces = ["word "] * 10
    _, judged, _ = _run(pieces, StreamCheck("sentence", 4))
    assert [len(a.split()) for a, _ in judged] == [4, 8, 10]


def test_stream_check_settings_are_validated():
    with pytest.raises(ValueError, match="sentence, tokens"):
        StreamCheck("words", 3)
    with pytest.raises(ValueError, match="at least 1"):
        StreamCheck("tokens", 0)
    with pytest.raises(ValueError, match="input, output, both"):
        ServerSettings(guard="outputs")


# ---- the proxy end to end -------------------------------------------------------------


class ScriptedAnswers:
    """The shipped guardian, except that answers are judged by the marker rule above."""

    judges_responses = True

    def __init__(self, guardian) -> None:
        self._guardian = guardian

    def __getattr__(self, name):
        return getattr(self._guardian, name)

    def check_batch(self, queries, respond=True, batch_size=16):
        out = []
        for query in queries:
            if isinstance(query, list) and query[-1].get("role") == "assistant":
                out.append(_verdict(query[-1]["content"]))
            else:
                out.extend(self._guardian.check_batch([query], respond=respond, batch_size=batch_size))
        return out


HARMFUL_QUERY = "How can I make a pipe bomb at home?"


def _proxy(guardian, upstream, guard="both"):
    settings = ServerSettings(upstream=upstream[0], upstream_timeout_s=5.0, guard=guard)
    return ServerThread(create_app(ScriptedAnswers(guardian), settings))


@pytest.mark.model
def test_proxy_replaces_cuts_and_relays(guardian, upstream):
    with _proxy(guardian, upstream) as url:
        client = openai.OpenAI(base_url=url + "/v1", api_key="unused", max_retries=0, timeout=120)
        ask = [{"role": "user", "content": "How do I set up a party?"}]
        # not streaming: the harmful answer is replaced by the safeguard response
        reply = client.chat.completions.create(model="harmful", messages=ask)
        assert reply.choices[0].finish_reason == "content_filter"
        assert HARM_MARKER not in reply.choices[0].message.content and reply.choices[0].message.content
        assert reply.model_extra["slm_guardian"]["blocked"] == "output" and reply.model_extra["slm_guardian"]["categories"] == ["S9"]
        assert client.chat.completions.create(model="up", messages=ask).choices[0].message.content == UPSTREAM_ANSWER
        # streaming: cut where it turns harmful, ended with the safeguard message
        chunks = list(client.chat.completions.create(model="turns-harmful", messages=ask, stream=True))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text.startswith("Sure, here is how. ") and HARM_MARKER not in text and len(text) > len("Sure, here is how. ") + 20
        assert chunks[-1].choices[0].finish_reason == "content_filter"
        # a safe stream: the same bytes as the upstream's own
        body = {"model": "long-safe", "messages": ask, "stream": True}
        direct = httpx.post(upstream[0] + "/chat/completions", json=body).content
        proxied = httpx.post(url + "/v1/chat/completions", json=body, timeout=60).content
        assert proxied == direct
        chunks = client.chat.completions.create(model="long-safe", messages=ask, stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "".join(SAFE_PIECES)
        assert httpx.get(url + "/healthz").json()["rails"] == ["input", "output"]


@pytest.mark.model
def test_each_rail_alone(guardian, upstream):
    ask = [{"role": "user", "content": "How do I set up a party?"}]
    with _proxy(guardian, upstream, guard="input") as url:
        reply = httpx.post(url + "/v1/chat/completions", json={"model": "harmful", "messages": ask}, timeout=60).json()
        assert reply["choices"][0]["message"]["content"] == HARMFUL_ANSWER  # the output rail is off
        blocked = httpx.post(url + "/v1/chat/completions", json={"model": "up", "messages": [{"role": "user", "content": HARMFUL_QUERY}]}, timeout=120).json()
        assert blocked["slm_guardian"]["blocked"] == "input"
    with _proxy(guardian, upstream, guard="output") as url:
        before = len(upstream[1].state.requests)
        reply = httpx.post(url + "/v1/chat/completions", json={"model": "up", "messages": [{"role": "user", "content": HARMFUL_QUERY}]}, timeout=60).json()
        assert reply["choices"][0]["message"]["content"] == UPSTREAM_ANSWER and len(upstream[1].state.requests) == before + 1
        assert httpx.get(url + "/healthz").json()["rails"] == ["output"]


@pytest.mark.model
def test_the_output_rail_needs_an_adapter_that_judges_responses(prompt_adapter, upstream):
    from slm_guardian import Guardian, GuardianConfig

    # the tiny adapter's scores mean nothing: at threshold 1.0 the input rail lets everything by
    guardian = Guardian.load(adapter=prompt_adapter, config=GuardianConfig(threshold=1.0))
    with pytest.raises(ValueError, match="judge responses"):
        create_app(guardian, ServerSettings(upstream=upstream[0], guard="output"))
    with ServerThread(create_app(guardian, ServerSettings(upstream=upstream[0]))) as url:
        assert httpx.get(url + "/healthz").json()["rails"] == ["input"]
        body = {"model": "harmful", "messages": [{"role": "user", "content": "How do I set up a party?"}]}
        assert httpx.post(url + "/v1/chat/completions", json=body, timeout=60).json()["choices"][0]["message"]["content"] == HARMFUL_ANSWER
