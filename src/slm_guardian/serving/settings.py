"""Server settings (CLI flags map onto these fields one to one)."""

from __future__ import annotations

from dataclasses import dataclass

from slm_guardian.serving.batcher import LONG_CHARS


@dataclass(frozen=True)
class ServerSettings:
    """Limits and wiring of one `guardian serve` process."""

    upstream: str | None = None  # OpenAI-compatible base URL (".../v1") that safe chats go to
    api_key: str | None = None  # required as "Authorization: Bearer <key>" when set
    upstream_api_key: str | None = None  # sent to the upstream as its bearer token
    upstream_timeout_s: float = 60.0
    max_body_bytes: int = 1_000_000
    max_input_chars: int = 32_000
    max_inputs: int = 64
    max_batch: int = 16
    batch_wait_ms: float = 5.0
    max_queue: int = 256  # queued texts beyond this are shed with 503 + Retry-After
    long_chars: int = LONG_CHARS  # texts longer than this are judged in their own lane
    batch_replies: bool = True  # decode a micro-batch's replies together (False: one at a time)
    log_prompts: bool = False
    model_name: str = "slm-guardian-smollm2-135m"
