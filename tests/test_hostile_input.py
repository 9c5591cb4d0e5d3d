"""Property-based hostile input (Hypothesis) against the Python API, the CLI and every HTTP
endpoint: each case ends in a verdict or a clear error, never a traceback, a hang or a 500."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servers import ServerThread
from slm_guardian.guardian import InvalidInput
from slm_guardian.serving.app import create_app
from slm_guardian.serving.settings import ServerSettings

pytestmark = pytest.mark.model

# Arbitrary Unicode including lone surrogates, NUL bytes and control characters.
hostile_text = st.one_of(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300),
    st.text(alphabet=st.sampled_from(["\x00", "\ud800", "\udfff", "\u202e", "\u200b", "\ufeff", "a", " ", "\n"]), max_size=50),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
def _cleaned(text: str) -> str:
    """What the guardian reads of `text` (lone surrogates and NUL bytes replaced)."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")


FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FAST
@given(text=hostile_text)
def test_python_api_gives_a_verdict_or_invalid_input(guardian, text):
    try:
        verdict = guardian.check(text, respond=False)
    except InvalidInput as exc:
        assert str(exc) and not _cleaned(text).strip(), (text, exc)  # only empty text is refused at this size
        return
    assert set(verdict.category_scores) == set(guardian.taxonomy.codes)
    assert sum(verdict.category_scores.values()) == pytest.approx(verdict.unsafe_score, abs=1e-4)
    assert verdict.flagged == bool(verdict.categories)


@FAST
@given(messages=st.lists(st.dictionaries(st.sampled_from(["role", "content", "x"]), json_values, max_size=3), max_size=3))
def test_python_api_rejects_malformed_conversations_cleanly(guardian, messages):
    well_formed = bool(messages) and all(isinstance(m.get("content"), str) for m in messages)
    user_text = "\n".join(m["content"] for m in messages if m.get("role", "user") == "user") if well_formed else ""
    try:
        verdict = guardian.check(messages, respond=False)
    except InvalidInput as exc:
        assert str(exc) and not _cleaned(user_text).strip(), (messages, exc)
        return
    assert user_text.strip() and set(verdict.category_scores) == set(guardian.taxonomy.codes)


def test_python_api_limits():
    from slm_guardian.guardian import MAX_INPUT_CHARS, to_text

    for bad in ("", "   ", [], [{"role": "assistant", "content": "hi"}], 42, None, b"bytes", "x" * (MAX_INPUT_CHARS + 1)):
        with pytest.raises(InvalidInput):
            to_text(bad)


@pytest.fixture(scope="module")
def server(guardian):
    with ServerThread(create_app(guardian, ServerSettings(max_body_bytes=50_000, max_input_chars=5_000, max_inputs=8))) as url:
        yield url


ENDPOINTS = ("/v1/moderations", "/v1/guard", "/v1/chat/completions")


def _assert_clean(response: httpx.Response) -> None:
    assert response.status_code < 500 or response.status_code == 503, response.text
    if response.status_code >= 400:
        body = response.json()
        assert "error" in body and "Traceback" not in response.text


@FAST
@given(endpoint=st.sampled_from(ENDPOINTS), body=json_values)
def test_every_endpoint_answers_arbitrary_json_with_a_verdict_or_4xx(server, endpoint, body):
    _assert_clean(httpx.post(server + endpoint, json=body, timeout=60))


@FAST
@given(endpoint=st.sampled_from(ENDPOINTS), text=hostile_text)
def test_every_endpoint_survives_hostile_strings(server, endpoint, text):
    payload = {"messages": [{"role": "user", "content": text}]} if endpoint.endswith("completions") else {"input": text}
    raw = json.dumps(payload).encode()  # json.dumps escapes lone surrogates as \\ud800, legal JSON
    _assert_clean(httpx.post(server + endpoint, content=raw, headers={"content-type": "application/json"}, timeout=60))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_garbage_bodies_deep_nesting_and_huge_strings_get_4xx(server, endpoint):
    cases = [
        b"\xff\xfe not utf-8 \x00",
        b"{",
        b"[" * 10_000 + b"]" * 10_000,
        json.dumps({"input": "x" * 60_000}).encode(),
        json.dumps({"input": []}).encode(),
        json.dumps({"messages": []}).encode(),
    ]
    for raw in cases:
        response = httpx.post(server + endpoint, content=raw, headers={"content-type": "application/json"}, timeout=60)
        assert 400 <= response.status_code < 500, (raw[:40], response.status_code, response.text[:200])
        assert "error" in response.json()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=hostile_text)
def test_cli_check_never_shows_a_traceback(guardian, monkeypatch, text):
    from typer.testing import CliRunner

    from slm_guardian import cli
    from slm_guardian.cli import judge

    monkeypatch.setattr(judge, "load_guardian", lambda *args, **kwargs: guardian)
    result = CliRunner().invoke(cli.app, ["check", "--json", "--", text])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def test_a_full_queue_sheds_load_with_retry_after(guardian):
    from concurrent.futures import ThreadPoolExecutor

    settings_ = ServerSettings(max_queue=2, max_batch=1)
    with ServerThread(create_app(guardian, settings_)) as url:
        with ThreadPoolExecutor(max_workers=24) as pool:
            responses = list(pool.map(lambda i: httpx.post(url + "/v1/moderations", json={"input": f"How do I bake bread number {i}?"}, timeout=120), range(24)))
    statuses = {r.status_code for r in responses}
    assert statuses <= {200, 503}, statuses
    shed = [r for r in responses if r.status_code == 503]
    assert shed and all(r.headers.get("retry-after") and "error" in r.json() for r in shed)
    assert any(r.status_code == 200 for r in responses)
