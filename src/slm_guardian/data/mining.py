"""Hard negatives: the safe source rows that the caps leave out and a trained guard scores
highest. Adding them past the caps teaches the guard the benign requests it gets wrong, not
ones it already passes (README, "A fifth attempt at the twins").

The list is committed as text keys (`keys.text_key`) with their scores, never as the rows:
the sources' licences forbid redistributing them. `guardian data build` reads the list named
by the data config's `hard_negatives`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from slm_guardian.data.keys import text_key
from slm_guardian.data.rows import SourceRow


@dataclass(frozen=True)
class MinedRow:
    """A safe row and the unsafe score the mining guard gave it."""

    key: str
    score: float
    source: str


def mine(
    rows: Sequence[SourceRow],
    score: Callable[[list[str]], list[float]],
    min_score: float,
    limit: int | None = None,
    batch_size: int = 64,
    progress: Callable[[int], object] | None = None,
) -> list[MinedRow]:
    """The rows `score` puts at `min_score` or above, highest first, at most `limit` of them.
    `score` maps a batch of texts to unsafe scores (a guardian's detection)."""
    if not 0.0 <= min_score <= 1.0:
        raise ValueError(f"min_score must be between 0 and 1, got {min_score}")
    found: list[MinedRow] = []
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        for row, value in zip(batch, score([r.text for r in batch])):
            if value >= min_score:
                found.append(MinedRow(text_key(row.text), round(float(value), 4), row.source))
        if progress:
            progress(len(batch))
    found.sort(key=lambda m: (-m.score, m.key))
    return found[:limit] if limit is not None else found


def write_list(path: Path, mined: Sequence[MinedRow], header: dict) -> None:
    """One JSON object per line: first `header` (how the list was made), then one per row."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps({"header": header}) + "\n")
        for row in mined:
            handle.write(json.dumps({"key": row.key, "score": row.score, "source": row.source}) + "\n")


def read_keys(path: Path) -> frozenset[str]:
    """The text keys of a list written by `write_list`."""
    keys = set()
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if "header" in record:
                continue
            if not isinstance(record.get("key"), str):
                raise ValueError(f"{path}:{number}: no 'key'")
            keys.add(record["key"])
    return frozenset(keys)
