"""Server settings (CLI flags map onto these fields one to one)."""

from __future__ import annotations

from dataclasses import dataclass

from slm_guardian.serving.batcher import LONG_CHARS

RAILS = ("input", "output", "both")


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
    # Which rails the chat proxy runs: the user's query, the upstream's answer, or both.
    guard: str = "both"
    stream_check: str = "sentence"  # streamed answers are judged at sentence ends ...
    stream_check_every: int = 24  # ... or after this many unjudged chunks ("tokens": only this)
    log_prompts: bool = False
    model_name: str = "slm-guardian-smollm2-135m"

    def __post_init__(self) -> None:
        if self.guard not in RAILS:
            raise ValueError(f"guard must be one of {', '.join(RAILS)}, not {self.guard!r}")
