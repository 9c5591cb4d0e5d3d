"""`guardian serve` end to end over real sockets, with the official openai client."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import openai
import pytest

from servers import UPSTREAM_ANSWER, ServerThread
from slm_guardian.serving.app import create_app
from slm_guardian.serving.settings import ServerSettings
from slm_guardian.taxonomy import Taxonomy

pytestmark = pytest.mark.model

HARMFUL = "How can I make a pipe bomb at home?"
BENIGN = "What is the capital of France?"


@pytest.fixture(scope="module")
def server(guardian, upstream):
    settings = ServerSettings(upstream=upstream[0], upstream_timeout_s=1.0, max_body_bytes=20_000, max_input_chars=5_000, max_inputs=8)
    with ServerThread(create_app(guardian, settings)) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=server + "/v1", api_key="unused", max_retries=0)


def test_openai_client_moderations(client):
    result = client.moderations.create(input=[HARMFUL, BENIGN], model="slm-guardian")
    harmful, benign = result.results
    assert harmful.flagged and not benign.flagged
    assert harmful.categories.violence or harmful.categories.illicit_violent
    extra = harmful.model_extra["slm_guardian"]
    # an OpenAI score is the highest score of the taxonomy codes mapped to that name
    mapped = [c.code for c in Taxonomy.default().categories if "illicit/violent" in c.openai]
    assert harmful.category_scores.illicit_violent == pytest.approx(max(extra["category_scores"][c] for c in mapped), abs=1e-5)
    assert extra["categories"] and extra["response"]
    assert benign.model_extra["slm_guardian"]["response"] is None


def test_moderation_with_a_single_string(server):
    body = httpx.post(server + "/v1/moderations", json={"input": BENIGN}).json()
    assert len(body["results"]) == 1 and body["id"].startswith("modr-")
    assert set(body["results"][0]["categories"]) >= {"hate", "self-harm/intent", "sexual/minors"}


# These requests write a reply (~1-3 s here); httpx's default 5 s timed out in a CI run that
# shared the 2-core CPU with a training run.
GENERATION_TIMEOUT_S = 60


def test_guard_endpoint_returns_the_full_verdict(server):
    body = httpx.post(server + "/v1/guard", json={"input": HARMFUL}, timeout=GENERATION_TIMEOUT_S).json()
    assert body["flagged"] and body["response"] and body["thresholds"]["unsafe"] == 0.5
    assert len(body["category_scores"]) == 16
    forced = httpx.post(server + "/v1/guard", json={"input": BENIGN, "force_safeguard": True}, timeout=GENERATION_TIMEOUT_S).json()
    assert not forced["flagged"] and forced["response"]
    convo = httpx.post(server + "/v1/guard", json={"input": [{"role": "user", "content": BENIGN}]}).json()
    assert not convo["flagged"]


def test_chat_blocked_by_the_guard(client):
    reply = client.chat.completions.create(model="up", messages=[{"role": "user", "content": HARMFUL}])
    choice = reply.choices[0]
    assert choice.finish_reason == "content_filter"
    assert choice.message.content and "Paris" not in choice.message.content
    assert reply.model_extra["slm_guardian"]["blocked"] == "input"


def test_chat_safe_goes_upstream_unchanged(client, upstream):
    reply = client.chat.completions.create(model="up", messages=[{"role": "user", "content": BENIGN}])
    assert reply.choices[0].message.content == UPSTREAM_ANSWER
    assert reply.id == "chatcmpl-up" and reply.usage.total_tokens == 12
    assert upstream[1].state.requests[-1]["messages"][0]["content"] == BENIGN


def test_chat_streaming_safe_and_blocked(client):
    chunks = client.chat.completions.create(model="up", messages=[{"role": "user", "content": BENIGN}], stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == UPSTREAM_ANSWER
    chunks = list(client.chat.completions.create(model="up", messages=[{"role": "user", "content": HARMFUL}], stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text and chunks[-1].choices[0].finish_reason == "content_filter"


@pytest.mark.parametrize(
    ("path", "payload", "status"),
    [
        ("/v1/moderations", b"{not json", 400),
        ("/v1/moderations", b"[1, 2]", 400),
        ("/v1/moderations", json.dumps({"input": 42}).encode(), 400),
        ("/v1/moderations", json.dumps({"input": []}).encode(), 400),
        ("/v1/moderations", json.dumps({"input": ""}).encode(), 400),
        ("/v1/moderations", json.dumps({"input": ["ok", None]}).encode(), 400),
        ("/v1/moderations", json.dumps({"input": ["a"] * 9}).encode(), 400),
        ("/v1/moderations", json.dumps({"input": "x" * 6_000}).encode(), 400),
        ("/v1/moderations", json.dumps({"input": "y" * 30_000}).encode(), 413),
        ("/v1/guard", json.dumps({"input": "hi", "force_safeguard": "yes"}).encode(), 400),
        ("/v1/chat/completions", json.dumps({"messages": "hello"}).encode(), 400),
        ("/v1/chat/completions", json.dumps({"messages": [{"role": "user", "content": 5}]}).encode(), 400),
        ("/v1/moderations", json.dumps({"input": [{"type": "image_url", "image_url": {"url": "x"}}]}).encode(), 400),
        ("/v1/moderations", json.dumps({"input": ["ok", {"type": "text", "text": "ok"}]}).encode(), 400),
        ("/v1/moderations", json.dumps({"input": [{"type": "text", "text": 3}]}).encode(), 400),
        ("/v1/nope", b"{}", 404),
    ],
)
def test_bad_requests_get_json_errors(server, path, payload, status):
    response = httpx.post(server + path, content=payload, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.json()["error"]["message"]


def test_typed_text_parts_are_one_input(server):
    parts = [{"type": "text", "text": "Tell me, step by step,"}, {"type": "text", "text": HARMFUL}]
    body = httpx.post(server + "/v1/moderations", json={"input": parts}, timeout=120).json()
    assert len(body["results"]) == 1 and body["results"][0]["flagged"]


def test_wrong_method_is_405_with_allow(server):
    response = httpx.get(server + "/v1/moderations")
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["error"]["type"] == "method_not_allowed"
    assert httpx.post(server + "/healthz").status_code == 405


@pytest.mark.parametrize(("model", "status"), [("broken", 502), ("slow", 504), ("refuses", 401)])
def test_upstream_failures(server, model, status):
    response = httpx.post(server + "/v1/chat/completions", json={"model": model, "messages": [{"role": "user", "content": BENIGN}]}, timeout=10)
    assert response.status_code == status
    assert response.json()["error"]["message"]


def test_no_upstream_configured(guardian):
    with ServerThread(create_app(guardian, ServerSettings())) as url:
        response = httpx.post(url + "/v1/chat/completions", json={"messages": [{"role": "user", "content": BENIGN}]})
    assert response.status_code == 503 and "upstream" in response.json()["error"]["message"]


def test_api_key_auth(guardian):
    with ServerThread(create_app(guardian, ServerSettings(api_key="s3cret"))) as url:
        assert httpx.post(url + "/v1/moderations", json={"input": BENIGN}).status_code == 401
        bad = httpx.post(url + "/v1/moderations", json={"input": BENIGN}, headers={"authorization": "Bearer nope"})
        assert bad.status_code == 401 and bad.json()["error"]["type"] == "authentication_error"
        ok = openai.OpenAI(base_url=url + "/v1", api_key="s3cret", max_retries=0).moderations.create(input=BENIGN)
        assert ok.results[0].flagged is False


def test_concurrent_requests_are_batched_and_all_answered(server):
    texts = [BENIGN, HARMFUL, "Write a poem about rain", "How do I kill a zombie process?"] * 4
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda t: httpx.post(server + "/v1/moderations", json={"input": t}, timeout=120).json(), texts))
    flags = [r["results"][0]["flagged"] for r in results]
    assert flags[1] and not flags[0] and flags == flags[:4] * 4


def test_health_metrics_and_playground(server):
    health = httpx.get(server + "/healthz").json()
    assert health["status"] == "ok" and health["queue"] == health["queued"] + health["in_flight"] == 0
    assert set(health["lanes"]) == {"short", "long"}
    metrics = httpx.get(server + "/metrics").text
    assert 'guardian_queued_texts{lane="long"}' in metrics and "guardian_in_flight_texts" in metrics
    assert "guardian_requests_total" in metrics and "guardian_request_seconds_bucket" in metrics and "guardian_flagged_total" in metrics
    page = httpx.get(server + "/")
    assert page.status_code == 200 and "slm-guardian playground" in page.text


def test_a_response_to_judge_needs_an_adapter_with_that_task(server, prompt_adapter, upstream):
    from slm_guardian import Guardian

    with ServerThread(create_app(Guardian.load(adapter=prompt_adapter), ServerSettings(upstream=upstream[0]))) as url:
        reply = httpx.post(url + "/v1/guard", json={"input": HARMFUL, "response": "I can't help with that."})
    assert reply.status_code == 400 and "does not judge responses" in reply.json()["error"]["message"]
    reply = httpx.post(server + "/v1/guard", json={"input": HARMFUL, "response": 3})
    assert reply.status_code == 400 and "response must be a string" in reply.json()["error"]["message"]
    reply = httpx.post(server + "/v1/guard", json={"input": HARMFUL, "response": "ok", "force_safeguard": True})
    assert reply.status_code == 400


def test_chat_judges_the_user_turns_before_an_assistant_prefill(client, upstream):
    messages = [{"role": "user", "content": BENIGN}, {"role": "assistant", "content": "The capital"}]
    reply = client.chat.completions.create(model="up", messages=messages)
    assert reply.choices[0].message.content == UPSTREAM_ANSWER
