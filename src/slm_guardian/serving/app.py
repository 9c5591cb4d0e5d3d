"""The FastAPI application: moderation, full verdicts, a guarded chat proxy, health, metrics, playground."""

from __future__ import annotations

import hmac
import json
import logging
import time
from contextlib import asynccontextmanager
from importlib import resources

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from slm_guardian.guardian import Guardian, InvalidInput, to_text
from slm_guardian.serving.batcher import MicroBatcher, Overloaded
from slm_guardian.serving.errors import ApiError
from slm_guardian.serving.openai_format import blocked_completion, blocked_stream, error_body, moderation_response, moderation_result
from slm_guardian.serving.output_rail import StreamCheck, answers_of, guarded_events, with_answer
from slm_guardian.serving.settings import ServerSettings
from slm_guardian.serving.upstream import open_upstream, read_answer, relay

log = logging.getLogger("slm_guardian.server")


class _Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("guardian_requests", "HTTP requests", ["endpoint", "status"], registry=self.registry)
        self.flagged = Counter("guardian_flagged", "Texts flagged as harmful", ["endpoint"], registry=self.registry)
        self.latency = Histogram(
            "guardian_request_seconds", "Request latency", ["endpoint"], registry=self.registry,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.queued = Gauge("guardian_queued_texts", "Texts waiting for the model", ["lane"], registry=self.registry)
        self.in_flight = Gauge("guardian_in_flight_texts", "Texts the model is judging now", ["lane"], registry=self.registry)

    def watch(self, batcher: MicroBatcher) -> None:
        """Read the queue at scrape time, so /metrics shows the real depth."""
        for lane in ("short", "long"):
            self.queued.labels(lane).set_function(lambda lane=lane: batcher.lane_depths().get(lane, {}).get("queued", 0))
            self.in_flight.labels(lane).set_function(lambda lane=lane: batcher.lane_depths().get(lane, {}).get("in_flight", 0))


def create_app(guardian: Guardian, settings: ServerSettings | None = None) -> FastAPI:
    settings = settings or ServerSettings()
    rails = _rails(guardian, settings.guard)
    stream_check = StreamCheck(settings.stream_check, settings.stream_check_every)
    batcher = MicroBatcher(guardian, settings.max_batch, settings.batch_wait_ms, settings.max_queue, settings.long_chars, settings.batch_replies)
    metrics = _Metrics()
    metrics.watch(batcher)
    state: dict = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await batcher.start()
        state["http"] = httpx.AsyncClient(timeout=settings.upstream_timeout_s)
        try:
            yield
        finally:
            await state["http"].aclose()
            await batcher.stop()

    app = FastAPI(title="slm-guardian", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.message, exc.kind), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse(error_body("internal error", "server_error"), status_code=500)

    @app.middleware("http")
    async def observe(request: Request, call_next):
        start = time.perf_counter()
        endpoint = request.url.path if request.url.path in _KNOWN_PATHS else "other"
        try:
            response = await call_next(request)
        finally:
            metrics.latency.labels(endpoint).observe(time.perf_counter() - start)
        metrics.requests.labels(endpoint, str(response.status_code)).inc()
        log.info("%s %s -> %s (%.0f ms)", request.method, request.url.path, response.status_code, (time.perf_counter() - start) * 1000)
        return response

    async def read_json(request: Request) -> dict:
        if settings.api_key is not None:
            supplied = request.headers.get("authorization", "")
            expected = f"Bearer {settings.api_key}"
            if not hmac.compare_digest(supplied.encode(), expected.encode()):
                raise ApiError(401, "missing or wrong API key (Authorization: Bearer ...)", "authentication_error")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
            raise ApiError(413, f"request body over {settings.max_body_bytes} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > settings.max_body_bytes:
                raise ApiError(413, f"request body over {settings.max_body_bytes} bytes")
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise ApiError(400, f"the body is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ApiError(400, "the body must be a JSON object")
        return data

    def checked_text(value: object, where: str) -> str:
        if not isinstance(value, str):
            raise ApiError(400, f"{where} must be a string")
        if len(value) > settings.max_input_chars:
            raise ApiError(400, f"{where} is {len(value)} characters; the limit is {settings.max_input_chars}")
        try:
            return to_text(value)
        except InvalidInput as exc:
            raise ApiError(400, f"{where}: {exc}") from exc

    def checked_conversation(messages: list, where: str) -> list[dict]:
        """The messages, normalised to text content, once the joined text passes the limits."""
        conversation = _conversation(messages)
        try:
            joined = to_text(conversation)
        except InvalidInput as exc:
            raise ApiError(400, f"{where}: {exc}") from exc
        checked_text(joined, where)
        return conversation

    async def judge(texts: list, respond: bool, endpoint: str):
        try:
            verdicts = await batcher.check(texts, respond=respond)
        except InvalidInput as exc:  # e.g. a response to judge, and an adapter without that task
            raise ApiError(400, str(exc)) from exc
        except Overloaded as exc:
            raise ApiError(503, "the guardian is overloaded; retry shortly", "overloaded", {"Retry-After": "1"}) from exc
        metrics.flagged.labels(endpoint).inc(sum(v.flagged for v in verdicts))
        if settings.log_prompts:
            for text, verdict in zip(texts, verdicts):
                log.info("prompt flagged=%s score=%.3f text=%r", verdict.flagged, verdict.unsafe_score, text)
        return verdicts

    @app.post("/v1/moderations")
    async def moderations(request: Request) -> JSONResponse:
        data = await read_json(request)
        items = _moderation_inputs(data.get("input"))
        if len(items) > settings.max_inputs:
            raise ApiError(400, f"'input' holds {len(items)} texts; the limit is {settings.max_inputs}")
        texts = [checked_text(item, f"input[{i}]") for i, item in enumerate(items)]
        verdicts = await judge(texts, respond=True, endpoint="/v1/moderations")
        results = [moderation_result(v, guardian.taxonomy) for v in verdicts]
        return JSONResponse(moderation_response(results, settings.model_name))

    @app.post("/v1/guard")
    async def guard(request: Request) -> JSONResponse:
        data = await read_json(request)
        query = data.get("input")
        force = data.get("force_safeguard", False)
        if not isinstance(force, bool):
            raise ApiError(400, "'force_safeguard' must be true or false")
        answer = data.get("response")
        if isinstance(query, list):
            text = checked_conversation(query, "input")
        else:
            text = checked_text(query, "input")
        if answer is not None:
            # The LLM's answer, judged in the context of the input (`Guardian.check_response`).
            if force:
                raise ApiError(400, "'force_safeguard' applies to a query, not to a 'response'")
            answer = checked_text(answer, "response")
            text = [*([{"role": "user", "content": text}] if isinstance(text, str) else text), {"role": "assistant", "content": answer}]
        if force:
            verdict = await batcher.run_exclusive(guardian.force_safeguard, text)
        else:
            (verdict,) = await judge([text], respond=True, endpoint="/v1/guard")
        body = verdict.to_dict()
        body["thresholds"] = {
            "unsafe": guardian.config.threshold,
            "categories": {c: guardian.config.threshold_for(c) for c in guardian.taxonomy.codes},
            "disabled": sorted(guardian.config.disabled),
        }
        return JSONResponse(body)

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        data = await read_json(request)
        messages = data.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ApiError(400, "'messages' must be a non-empty list")
        stream = data.get("stream", False)
        if not isinstance(stream, bool):
            raise ApiError(400, "'stream' must be true or false")
        # The batcher judges the messages themselves: joined, and each user turn alone. The
        # input rail judges the user's turns: messages after the last one (an assistant
        # prefill, tool calls) are not an answer to judge.
        conversation = _up_to_last_user_turn(checked_conversation(messages, "messages"))
        model = str(data.get("model") or settings.model_name)
        if "input" in rails:
            (verdict,) = await judge([conversation], respond=True, endpoint="/v1/chat/completions")
            if verdict.flagged:
                if stream:
                    return StreamingResponse(iter(blocked_stream(verdict, model)), media_type="text/event-stream")
                return JSONResponse(blocked_completion(verdict, model))
        upstream = await open_upstream(state["http"], settings, data)
        if upstream.status_code >= 400 or not stream:
            payload = await read_answer(upstream)
            if upstream.status_code < 400 and "output" in rails:
                for answer in answers_of(payload).values():
                    verdict = await judge_answer(with_answer(conversation, answer))
                    if verdict.flagged:
                        return JSONResponse(blocked_completion(verdict, model, rail="output"))
            return JSONResponse(payload, status_code=upstream.status_code)
        if "output" not in rails:
            return StreamingResponse(relay(upstream.aiter_raw(), upstream), status_code=upstream.status_code, media_type="text/event-stream")
        events = guarded_events(
            upstream.aiter_raw(), conversation, judge_answer, stream_check, lambda verdict: blocked_stream(verdict, model, rail="output")
        )
        return StreamingResponse(relay(events, upstream), media_type="text/event-stream")

    async def judge_answer(conversation: list[dict]):
        (verdict,) = await judge([conversation], respond=True, endpoint="/v1/chat/completions:output")
        return verdict

    @app.get("/healthz")
    async def healthz() -> dict:
        # "queue": texts accepted and not answered yet (waiting plus being judged), per lane below.
        return {"status": "ok", "model": settings.model_name, "rails": sorted(rails), "queue": batcher.depth, "queued": batcher.queued, "in_flight": batcher.in_flight, "lanes": batcher.lane_depths()}

    @app.get("/metrics")
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/", response_class=HTMLResponse)
    async def playground() -> HTMLResponse:
        page = resources.files("slm_guardian.serving").joinpath("static", "playground.html").read_text("utf-8")
        return HTMLResponse(page)

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    async def not_found(request: Request, path: str) -> Response:
        allowed = _METHODS.get("/" + path)
        if allowed:
            raise ApiError(405, f"/{path} takes {allowed}, not {request.method}", "method_not_allowed", {"Allow": allowed})
        raise ApiError(404, f"no such endpoint: /{path}", "not_found")

    return app


_METHODS = {"/v1/moderations": "POST", "/v1/guard": "POST", "/v1/chat/completions": "POST", "/healthz": "GET", "/metrics": "GET", "/": "GET"}
_KNOWN_PATHS = set(_METHODS)


def _moderation_inputs(raw: object) -> list:
    """The texts of a moderation request, one per result: a string; a list of strings; or, as
    OpenAI's typed form, a list of parts (`{"type": "text", "text": ...}`) that together make
    one input. Image parts are refused: this guard reads text only."""
    if isinstance(raw, str):
        return [raw]
    if not isinstance(raw, list) or not raw:
        raise ApiError(400, "'input' must be a non-empty string, a non-empty list of strings, or a list of text parts")
    if not any(isinstance(item, dict) for item in raw):
        return raw
    texts = []
    for i, part in enumerate(raw):
        if not isinstance(part, dict):
            raise ApiError(400, f"input[{i}]: a list of parts must hold only objects, not strings and objects mixed")
        kind = part.get("type")
        if kind == "image_url":
            raise ApiError(400, f"input[{i}]: image inputs are not supported; this guard reads text only")
        if kind != "text" or not isinstance(part.get("text"), str):
            raise ApiError(400, f'input[{i}] must be {{"type": "text", "text": "..."}}')
        texts.append(part["text"])
    return ["\n".join(texts)]


def _up_to_last_user_turn(conversation: list[dict]) -> list[dict]:
    last = max((i for i, m in enumerate(conversation) if m["role"] == "user"), default=len(conversation) - 1)
    return conversation[: last + 1]


def _conversation(messages: list) -> list[dict]:
    """Chat messages with list-of-parts content flattened to text; bad shapes are 400s.
    (A conversation without a user turn is a 400 from `checked_text`.)"""
    flat = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise ApiError(400, f"messages[{i}] must be an object")
        role, content = message.get("role", "user"), message.get("content")
        if isinstance(content, list):
            parts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
            if not all(isinstance(p, str) for p in parts):
                raise ApiError(400, f"messages[{i}].content parts must carry string text")
            content = "\n".join(parts)
        if content is None and role != "user":
            content = ""  # assistant tool calls carry no text
        if not isinstance(content, str) or not isinstance(role, str):
            raise ApiError(400, f"messages[{i}] needs a string role and string content")
        flat.append({"role": role, "content": content})
    return flat


def _rails(guardian: Guardian, guard: str) -> set[str]:
    """The chat proxy's rails for `--guard`; the output rail needs an adapter that judges answers."""
    rails = {"input", "output"} if guard == "both" else {guard}
    if "output" in rails and not guardian.judges_responses:
        if guard == "output":
            raise ValueError("--guard output needs an adapter trained to judge responses (judge_responses: true); this one judges prompts only")
        log.warning("the output rail is off: this adapter does not judge responses, so only the user's query is judged")
        rails.discard("output")
    return rails
