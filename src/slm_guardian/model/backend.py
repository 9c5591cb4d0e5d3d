"""What the guardian needs of a model backend: the torch reference path (`GuardModel`) and the
CTranslate2 fast path (`CT2GuardModel`) both provide it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from slm_guardian.model.format import GuardFormat
from slm_guardian.model.scores import Scores


@runtime_checkable
class GuardBackend(Protocol):
    """Scores queries in one forward pass each, and writes safeguard replies."""

    fmt: GuardFormat

    def score(self, texts: Sequence[str], batch_size: int = 16) -> list[Scores]:
        """Scores per text (a long text: its worst window), in input order."""
        ...

    def score_with_cache(self, text: str) -> tuple[Scores, object | None]:
        """Scores for one text and, where the backend keeps one, a cache a reply can continue."""
        ...

    def respond(self, text: str, codes: Sequence[str], cache: object | None = None) -> str:
        """The safeguard reply after `<|harm|>` and the given category codes (greedy)."""
        ...

    def respond_batch(self, texts: Sequence[str], codes: Sequence[Sequence[str]]) -> list[str]:
        """`respond` for many texts, each with its own codes, decoded together where the backend can."""
        ...
