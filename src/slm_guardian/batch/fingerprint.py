"""Which input an output file was made from, so that `--resume` never continues an output
with the rows of another file.

A run writes `OUTPUT.input.json` beside its output: the input's path, size and SHA-256. A
resumed run recomputes them and refuses to go on when the input changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

SUFFIX = ".input.json"


class InputChanged(ValueError):
    """The input of a resumed run is not the file the output was made from."""


@dataclass(frozen=True)
class InputFingerprint:
    path: str
    size: int
    sha256: str

    @classmethod
    def of(cls, path: str | Path) -> InputFingerprint:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return cls(str(Path(path).resolve()), Path(path).stat().st_size, digest.hexdigest())


def fingerprint_path(output: str | Path) -> Path:
    return Path(str(output) + SUFFIX)


def record_input(output: str | Path, input_path: str | Path) -> None:
    """Store the fingerprint of `input_path` beside `output` (a fresh run)."""
    fingerprint_path(output).write_text(json.dumps(asdict(InputFingerprint.of(input_path)), indent=2) + "\n", encoding="utf-8")


def check_same_input(output: str | Path, input_path: str | Path) -> bool:
    """Raise InputChanged when `input_path` differs from the input `output` was made from.
    Returns False when `output` carries no fingerprint (made by an older version): the caller
    warns, since nothing can be checked."""
    stored = fingerprint_path(output)
    if not stored.is_file():
        return False
    try:
        before = InputFingerprint(**json.loads(stored.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError) as exc:
        raise InputChanged(f"{stored} is unreadable ({exc}); remove {output} and {stored} to start again") from exc
    now = InputFingerprint.of(input_path)
    if (now.size, now.sha256) != (before.size, before.sha256):
        raise InputChanged(
            f"{input_path} is not the input {output} was made from ({before.path}, {before.size} bytes, "
            f"sha256 {before.sha256[:12]}…; this one: {now.size} bytes, sha256 {now.sha256[:12]}…). "
            f"Resume with the original input, or remove {output} to start again."
        )
    return True
