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
    """One input row: its line number, its fields, and the text to judge (or why it is unusable);
    with `answer`, the text is a prompt and the answer, an LLM's response to it, is judged."""

    line: int
    fields: dict
    text: str | None
    error: str | None = None
    answer: str | None = None

    @property
    def query(self) -> str | list[dict]:
        """What the guardian judges: the text, or the answer in the prompt's context."""
        if self.answer is None:
            return self.text
        return [{"role": "user", "content": self.text}, {"role": "assistant", "content": self.answer}]


def detect_format(name: str, explicit: str | None) -> str:
    if explicit:
        if explicit not in ("jsonl", "csv"):
            raise ValueError(f"unknown format {explicit!r}; use jsonl or csv")
        return explicit
    return "csv" if name.lower().endswith(".csv") else "jsonl"


def read_records(handle: IO[str], fmt: str, text_field: str, response_field: str | None = None) -> Iterator[Record]:
    """Every row of the file in order; malformed rows come back with `error` set, not raised."""
    if fmt == "csv":
        yield from _read_csv(handle, text_field, response_field)
    else:
        yield from _read_jsonl(handle, text_field, response_field)


def _read_jsonl(handle: IO[str], text_field: str, response_field: str | None) -> Iterator[Record]:
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
        yield with_text(number, row, text_field, response_field)


def _read_csv(handle: IO[str], text_field: str, response_field: str | None) -> Iterator[Record]:
    reader = csv.DictReader(handle)
    if reader.fieldnames is None:
        return
    for name in (text_field, response_field):
        if name is not None and name not in reader.fieldnames:
            raise ValueError(f"CSV has no column {name!r}; columns: {', '.join(reader.fieldnames)}")
    for row in reader:
        yield with_text(reader.line_num, dict(row), text_field, response_field)


def with_text(number: int, row: dict, text_field: str, response_field: str | None = None) -> Record:
    """The row as a Record: its text (and answer, with `response_field`), or why it is unusable."""
    values = []
    for name in (text_field, response_field) if response_field else (text_field,):
        value = row.get(name)
        if not isinstance(value, str):
            what = "missing" if value is None else f"a {type(value).__name__}, not a string"
            return Record(number, row, None, f"line {number}: field {name!r} is {what}")
        if not value.strip():
            return Record(number, row, None, f"line {number}: field {name!r} is empty")
        values.append(value)
    return Record(number, row, values[0], answer=values[1] if response_field else None)


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
