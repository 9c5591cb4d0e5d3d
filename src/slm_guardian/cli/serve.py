"""`guardian serve`: the OpenAI-compatible HTTP service."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from slm_guardian.cli.app import app
from slm_guardian.cli.common import AdapterOpt, BackendOpt, BaseOpt, ConfigOpt, ModelOpt, ThresholdOpt, err, fail, load_guardian, model_adapter, require


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (localhost by default; 0.0.0.0 exposes it)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port."),
    upstream: Optional[str] = typer.Option(None, "--upstream", help="OpenAI-compatible base URL (e.g. http://127.0.0.1:8080/v1) that safe chats are forwarded to."),
    api_key_env: Optional[str] = typer.Option(None, "--api-key-env", help="Name of the environment variable holding the API key clients must send."),
    upstream_key_env: Optional[str] = typer.Option(None, "--upstream-key-env", help="Environment variable holding the upstream's API key."),
    max_batch: int = typer.Option(16, "--max-batch", min=1, max=256, help="Largest micro-batch of queued texts."),
    max_queue: int = typer.Option(256, "--max-queue", min=1, help="Queued texts beyond this get 503 + Retry-After."),
    guard: str = typer.Option("both", "--guard", help="Rails of the chat proxy: input (the user's query), output (the upstream's answer; needs an adapter that judges responses) or both. With both and a prompt-only adapter, the output rail is off (logged)."),
    stream_check: str = typer.Option("sentence", "--stream-check", help="When a streamed answer is judged: sentence (at sentence ends, and after --stream-check-every chunks at the latest) or tokens (every --stream-check-every chunks)."),
    stream_check_every: int = typer.Option(24, "--stream-check-every", min=1, help="Content chunks (about one token each) a streamed answer may hold unjudged."),
    log_prompts: bool = typer.Option(False, "--log-prompts", help="Log prompt text (off by default: prompts are private)."),
    adapter: Optional[Path] = AdapterOpt,
    model: Optional[str] = ModelOpt,
    base_model: Optional[str] = BaseOpt,
    config: Optional[Path] = ConfigOpt,
    threshold: Optional[float] = ThresholdOpt,
    backend: str = BackendOpt,
) -> None:
    """Serve /v1/moderations, /v1/guard, a guarded /v1/chat/completions proxy, /metrics and a playground."""
    adapter = model_adapter(model, adapter)
    import logging

    require("serve", "fastapi", "uvicorn", "httpx", "prometheus_client")
    import uvicorn

    from slm_guardian.serving.app import create_app
    from slm_guardian.serving.settings import ServerSettings

    def secret(name: Optional[str], flag: str) -> Optional[str]:
        if not name:
            return None
        value = os.environ.get(name)
        if not value:
            fail(f"{flag} {name}: that environment variable is not set or empty")
        return value

    from slm_guardian.serving.output_rail import STREAM_CHECKS
    from slm_guardian.serving.settings import RAILS

    if guard not in RAILS:
        fail(f"--guard must be one of {', '.join(RAILS)}, not {guard!r}")
    if stream_check not in STREAM_CHECKS:
        fail(f"--stream-check must be one of {', '.join(STREAM_CHECKS)}, not {stream_check!r}")
    settings = ServerSettings(
        upstream=upstream,
        api_key=secret(api_key_env, "--api-key-env"),
        upstream_api_key=secret(upstream_key_env, "--upstream-key-env"),
        max_batch=max_batch,
        max_queue=max_queue,
        guard=guard,
        stream_check=stream_check,
        stream_check_every=stream_check_every,
        log_prompts=log_prompts,
    )
    # Every core: the fast path runs them as one-thread replicas, so a single request is as
    # quick as on one thread while concurrent batches (both lanes, batched replies) run side by side.
    guardian = load_guardian(adapter, base_model, config, threshold, backend, threads=os.cpu_count())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    err.print(f"serving on http://{host}:{port}  (playground at /, API under /v1)")
    try:
        server_app = create_app(guardian, settings)
    except ValueError as exc:  # e.g. --guard output with a prompt-only adapter
        fail(str(exc))
    uvicorn.run(server_app, host=host, port=port, log_level="warning", access_log=False)
