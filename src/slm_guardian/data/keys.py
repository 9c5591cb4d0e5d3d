"""Keys that identify a text across sources: for de-duplication, and for lists of source rows."""

from __future__ import annotations

import hashlib
import re


def dedup_key(text: str) -> str:
    """The text lower-cased with punctuation and runs of spaces collapsed: copies that differ
    only in case or punctuation share it."""
    return re.sub(r"\W+", " ", text.lower()).strip()


def text_key(text: str) -> str:
    """A short stable id of a text (SHA-256 of its dedup key): lists of source rows are
    committed as keys, never as the rows themselves (their licences forbid redistribution)."""
    return hashlib.sha256(dedup_key(text).encode("utf-8")).hexdigest()[:16]


def in_dev(group: str, seed: int, fraction: float) -> bool:
    """Whether a dev-split group lands in dev: a seeded hash of the group, so every row of one
    group lands on the same side, and the split does not move when other rows change."""
    digest = hashlib.sha256(f"{seed}:{group}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction
