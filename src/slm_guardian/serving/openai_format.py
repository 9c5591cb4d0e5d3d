"""Verdicts in OpenAI's wire formats: moderation results and chat completions."""

from __future__ import annotations

import json
import time
import uuid

from slm_guardian.taxonomy import OPENAI_CATEGORIES, Taxonomy
from slm_guardian.verdict import Verdict

EXTRA_KEY = "slm_guardian"  # our additions live under this one key; OpenAI clients ignore it


def moderation_result(verdict: Verdict, taxonomy: Taxonomy) -> dict:
    """One `results[]` entry: OpenAI categories (max score over the codes mapped to each)."""
    scores = {name: 0.0 for name in OPENAI_CATEGORIES}
    flags = {name: False for name in OPENAI_CATEGORIES}
    violated = set(verdict.category_codes)
    for category in taxonomy.categories:
        for name in category.openai:
            scores[name] = max(scores[name], verdict.category_scores.get(category.code, 0.0))
            flags[name] = flags[name] or category.code in violated
    return {
        "flagged": verdict.flagged,
        "categories": flags,
        "category_scores": {k: round(v, 6) for k, v in scores.items()},
        "category_applied_input_types": {name: ["text"] for name in OPENAI_CATEGORIES},
        EXTRA_KEY: extra(verdict),
    }


def extra(verdict: Verdict) -> dict:
    data = verdict.to_dict()
    return {
        "unsafe_score": data["unsafe_score"],
        "categories": data["categories"],
        "category_names": data["category_names"],
        "category_scores": data["category_scores"],
        "response": data["response"],
    }


def moderation_response(results: list[dict], model: str) -> dict:
    return {"id": f"modr-{uuid.uuid4().hex}", "model": model, "results": results}


def blocked_completion(verdict: Verdict, model: str, rail: str = "input") -> dict:
    """A normal chat completion whose message is the safeguard response; `rail` says what was
    blocked: "input" (the user's query) or "output" (the upstream's answer)."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": verdict.response or ""},
                "finish_reason": "content_filter",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        EXTRA_KEY: {"blocked": rail, **extra(verdict)},
    }


def blocked_stream(verdict: Verdict, model: str, rail: str = "input") -> list[str]:
    """The same reply as server-sent events: a role chunk, the content, the finish chunk, [DONE].
    Cutting an answer the client has partly received (`rail="output"`), the message starts on a
    new paragraph after what was relayed."""
    base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}

    def event(delta: dict, finish: str | None, more: dict | None = None) -> str:
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **(more or {})}
        return f"data: {json.dumps(chunk)}\n\n"

    reply = verdict.response or ""
    return [
        event({"role": "assistant", "content": ""}, None),
        event({"content": "\n\n" + reply if rail == "output" else reply}, None),
        event({}, "content_filter", {EXTRA_KEY: {"blocked": rail, **extra(verdict)}}),
        "data: [DONE]\n\n",
    ]


def error_body(message: str, kind: str, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": kind, "code": code}}
