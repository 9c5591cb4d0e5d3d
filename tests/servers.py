"""Real HTTP servers on loopback for the tests: the guardian app and a fake OpenAI upstream."""

from __future__ import annotations

import asyncio
import json

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse

from slm_guardian.serving.background import ServerThread  # noqa: F401  (the tests import it from here)


UPSTREAM_ANSWER = "Paris is the capital of France."


def fake_upstream() -> FastAPI:
    """An OpenAI-compatible chat server; the request's model name picks a failure mode."""
    app = FastAPI()
    app.state.requests = []

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
            async def events():
                for piece in ("Paris is ", "the capital ", "of France."):
                    chunk = {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    yield f"data: {json.dumps(chunk)}\n\n"
                done = {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                yield f"data: {json.dumps(done)}\n\n"
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")
        return {
            **base,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": UPSTREAM_ANSWER}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
        }

    return app
