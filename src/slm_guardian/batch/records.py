"""Reading and writing the row files that `guardian classify` moderates (JSONL or CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO


@dataclass(frozen=True)
class Record:
    """One input row: its line number, its fields, and the text to judge (or why it is unusable)."""

    line: int
    fields: dict
    text: str | None
    error: str | None = None


def detect_format(name: str, explicit: str | None) -> str:
    if explicit:
        if explicit not in ("jsonl", "csv"):
            raise ValueError(f"unknown format {explicit!r}; use jsonl or csv")
        return explicit
    return "csv" if name.lower().endswith(".csv") else "jsonl"


def read_records(handle: IO[str], fmt: str, text_field: str) -> Iterator[Record]:
    """Every row of the file in order; malformed rows come back with `error` set, not raised."""
    if fmt == "csv":
        yield from _read_csv(handle, text_field)
    else:
        yield from _read_jsonl(handle, text_field)


def _read_jsonl(handle: IO[str], text_field: str) -> Iterator[Record]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Record(number, {}, None, f"line {number}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            yield Record(number, {}, None, f"line {number}: expected a JSON object, got {type(row).__name__}")
            continue
        yield with_text(number, row, text_field)


def _read_csv(handle: IO[str], text_field: str) -> Iterator[Record]:
    reader = csv.DictReader(handle)
    if reader.fieldnames is None:
        return
    if text_field not in reader.fieldnames:
        raise ValueError(f"CSV has no column {text_field!r}; columns: {', '.join(reader.fieldnames)}")
    for row in reader:
        yield with_text(reader.line_num, dict(row), text_field)


def with_text(number: int, row: dict, text_field: str) -> Record:
    value = row.get(text_field)
    if not isinstance(value, str):
        what = "missing" if value is None else f"a {type(value).__name__}, not a string"
        return Record(number, row, None, f"line {number}: field {text_field!r} is {what}")
    if not value.strip():
        return Record(number, row, None, f"line {number}: field {text_field!r} is empty")
    return Record(number, row, value)


class RecordWriter:
    """Writes output rows in the input's format, flushing each batch so nothing is lost on a crash."""

    def __init__(self, handle: IO[str], fmt: str) -> None:
        self.handle = handle
        self.fmt = fmt
        self._csv: csv.DictWriter | None = None

    def write(self, row: dict) -> None:
        if self.fmt == "jsonl":
            self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        flat = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in row.items()}
        if self._csv is None:
            self._csv = csv.DictWriter(self.handle, fieldnames=list(flat))
            self._csv.writeheader()
        new = [k for k in flat if k not in self._csv.fieldnames]
        if new:
            # The header is already written: a column first seen here would be silently lost.
            raise ValueError(f"a row has columns the CSV header lacks ({', '.join(map(str, new))}); write JSONL output to keep rows whose fields differ")
        self._csv.writerow(flat)  # a column missing from this row is left empty

    def flush(self) -> None:
        self.handle.flush()


def open_text(path: str, mode: str, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> IO[str]:
    """A text handle for a path, or stdin/stdout for "-"; input bytes that are not UTF-8 are replaced."""
    if path == "-":
        stream = stdin if "r" in mode else stdout
        assert stream is not None
        buffer = getattr(stream, "buffer", None)
        if buffer is not None and "r" in mode:
            return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")
        return stream
    if "r" in mode:
        return open(path, mode, encoding="utf-8", errors="replace", newline="")
    return open(path, mode, encoding="utf-8", newline="")
