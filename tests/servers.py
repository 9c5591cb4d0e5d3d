"""Real HTTP servers on loopback for the tests: the guardian app and a fake OpenAI upstream."""

from __future__ import annotations

import asyncio
import json

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse

from slm_guardian.serving.background import ServerThread  # noqa: F401  (the tests import it from here)


UPSTREAM_ANSWER = "Paris is the capital of France."
# Answers that turn harmful: the marker word is what the scripted guardian's answer judge
# flags (tests/test_output_rail.py), so the proxy's logic is tested apart from the model's.
HARM_MARKER = "detonator"
HARMFUL_ANSWER = f"Sure. First wire the {HARM_MARKER} to the charge. Then hide it."
SAFE_PIECES = ("Paris is ", "the capital ", "of France. ", "It is on ", "the Seine.")
TURNING_PIECES = ("Sure, ", "here is ", "how. ", "First wire ", f"the {HARM_MARKER} ", "to the charge. ", "Then hide it.")


def fake_upstream() -> FastAPI:
    """An OpenAI-compatible chat server; the request's model name picks a failure mode."""
    app = FastAPI()
    app.state.requests = []
    app.state.answers = {}  # model name -> a scripted non-streamed answer (set by a test)

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        body = await request.json()
        app.state.requests.append(body)
        model = body.get("model", "")
        if model == "broken":
            return PlainTextResponse("upstream exploded", status_code=500)
        if model == "slow":
            await asyncio.sleep(5)
        if model == "refuses":
            return JSONResponse({"error": {"message": "bad key", "type": "auth"}}, status_code=401)
        base = {"id": "chatcmpl-up", "created": 1, "model": model}
        if body.get("stream"):
            pieces = {"turns-harmful": TURNING_PIECES, "long-safe": SAFE_PIECES}.get(model, ("Paris is ", "the capital ", "of France."))

            def event(delta: dict, finish: str | None = None) -> str:
                chunk = {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                return f"data: {json.dumps(chunk)}\n\n"

            async def events():
                yield event({"role": "assistant", "content": ""})
                for piece in pieces:
                    yield event({"content": piece})
                yield event({}, "stop")
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")
        return {
            **base,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": _answer(app, model)}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
        }

    return app


def _answer(app: FastAPI, model: str) -> str:
    if model in app.state.answers:
        return app.state.answers[model]
    return HARMFUL_ANSWER if model == "harmful" else UPSTREAM_ANSWER
