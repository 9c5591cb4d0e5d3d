"""The upstream model behind the chat proxy: sending it a chat and reading or relaying its answer."""

from __future__ import annotations

import json

import httpx

from slm_guardian.serving.errors import ApiError
from slm_guardian.serving.openai_format import error_body
from slm_guardian.serving.settings import ServerSettings


async def open_upstream(client: httpx.AsyncClient, settings: ServerSettings, data: dict) -> httpx.Response:
    """Send the chat to the upstream; the answer is read (or streamed) by the caller."""
    if not settings.upstream:
        raise ApiError(503, "the query is safe but no --upstream is configured to answer it", "no_upstream")
    url = settings.upstream.rstrip("/") + "/chat/completions"
    headers = {"content-type": "application/json"}
    if settings.upstream_api_key:
        headers["authorization"] = f"Bearer {settings.upstream_api_key}"
    try:
        return await client.send(client.build_request("POST", url, json=data, headers=headers), stream=True)
    except httpx.TimeoutException as exc:
        raise ApiError(504, "the upstream model timed out", "upstream_timeout") from exc
    except httpx.HTTPError as exc:
        raise ApiError(502, f"the upstream model is unreachable: {type(exc).__name__}", "upstream_error") from exc


async def read_answer(upstream: httpx.Response) -> dict:
    try:
        body = await upstream.aread()
    except httpx.HTTPError as exc:
        raise ApiError(502, "the upstream connection broke", "upstream_error") from exc
    finally:
        await upstream.aclose()
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(502, f"the upstream answered {upstream.status_code} with a non-JSON body", "upstream_error") from None
    if not isinstance(payload, dict):
        raise ApiError(502, f"the upstream answered {upstream.status_code} with JSON that is not an object", "upstream_error")
    return payload


_STREAM_BROKE = b'data: {"error": {"message": "the upstream stream broke", "type": "upstream_error"}}\n\n'


async def relay(events, upstream: httpx.Response):
    """Stream `events` to the client: the upstream's bytes (the input rail alone) or the
    output rail's guarded events. When the upstream or the guard fails mid-answer, the client
    gets an error event and nothing after it, never unjudged text; the upstream is closed."""
    try:
        async for event in events:
            yield event
    except httpx.HTTPError:
        yield _STREAM_BROKE
    except ApiError as exc:
        yield f"data: {json.dumps(error_body(exc.message, exc.kind))}\n\n".encode()
    finally:
        await upstream.aclose()
