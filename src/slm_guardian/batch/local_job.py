"""`guardian classify`: moderate a row file in batches, resumable after a crash, with bad rows
kept aside in an errors file so that rows in = rows written + rows in the errors file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from slm_guardian.guardian import Guardian
from slm_guardian.batch.records import Record, RecordWriter
from slm_guardian.verdict import Verdict

# Rows judged together: sorting 16 rows by length leaves a long row padding its batch; sorting
# 512 made classify ~20% faster on dev (docs/performance.md), and a kill loses at most a chunk.
LOCAL_CHUNK_ROWS = 256

ADDED_FIELDS = ("unsafe_score", "flagged", "categories", "category_scores", "response")
# With --response-field: the verdict's field -> the column that holds it.
RESPONSE_FIELDS = {"unsafe_score": "response_unsafe_score", "flagged": "response_flagged", "categories": "response_categories", "refusal": "refusal"}


def verdict_columns(verdict: Verdict) -> dict:
    """The fields `classify` adds to every row (RESPONSE_FIELDS for a judged answer)."""
    data = verdict.to_dict()
    if verdict.judged == "response":
        return {column: data[name] for name, column in RESPONSE_FIELDS.items()}
    return {name: data[name] for name in ADDED_FIELDS}


def output_row(record: Record, verdict: Verdict | None) -> dict:
    """The input row's fields plus the verdict's (added later by the caller when None)."""
    row = dict(record.fields)
    if verdict is not None:
        row.update(verdict_columns(verdict))
    return row


@dataclass
class ResumePoint:
    """What an interrupted run already finished: good rows written, and bad rows' line numbers."""

    written: int = 0
    error_lines: set[int] = field(default_factory=set)


def _complete_lines(path: Path) -> list[str]:
    """The file's complete lines; a trailing partial line (a write cut by a kill) is cut off."""
    if not path.is_file():
        return []
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with path.open("r+b") as handle:
            handle.truncate(end)
    return data[:end].decode("utf-8", errors="replace").splitlines()


def resume_point(output: Path, errors: Path | None) -> ResumePoint:
    lines = [line for line in _complete_lines(output) if line.strip()]
    error_lines = set()
    for line in _complete_lines(errors) if errors else []:
        try:
            error_lines.add(int(json.loads(line)["line"]))
        except (ValueError, KeyError, TypeError):
            continue
    return ResumePoint(len(lines), error_lines)


class ErrorLog:
    """Bad rows, one JSON object per line ({"line": n, "error": "..."}), flushed as they come."""

    def __init__(self, handle: IO[str] | None) -> None:
        self.handle = handle
        self.messages: list[str] = []

    def add(self, record: Record) -> None:
        self.messages.append(record.error or "")
        if self.handle is not None:
            self.handle.write(json.dumps({"line": record.line, "error": record.error}, ensure_ascii=False) + "\n")
            self.handle.flush()


@dataclass
class JobSummary:
    rows_in: int = 0
    written: int = 0
    errors: int = 0
    skipped_done: int = 0  # rows an earlier run had already finished (--resume)


def pending(records: Iterable[Record], done: ResumePoint, summary: JobSummary, errors: ErrorLog) -> Iterator[Record]:
    """Good records not yet written; bad records go to `errors` unless already logged there."""
    good_seen = 0
    for record in records:
        summary.rows_in += 1
        if record.error:
            if record.line not in done.error_lines:
                errors.add(record)
            summary.errors += 1
            continue
        good_seen += 1
        if good_seen <= done.written:
            summary.skipped_done += 1
            continue
        yield record


def run_local(
    guardian: Guardian,
    records: Iterable[Record],
    writer: RecordWriter,
    errors: ErrorLog,
    batch_size: int = 16,
    respond: bool = True,
    done: ResumePoint | None = None,
    progress: Callable[[int], None] = lambda _: None,
    chunk_rows: int = LOCAL_CHUNK_ROWS,
) -> JobSummary:
    """Moderate `records` in order in this process, `chunk_rows` rows at a time: each chunk's
    texts are sorted by length across the whole chunk before they are cut into model batches
    of `batch_size` (little padding), then written in input order, flushed and synced."""
    summary = JobSummary()
    batch: list[Record] = []

    def flush() -> None:
        verdicts = guardian.check_batch([r.query for r in batch], respond=respond, batch_size=batch_size)
        for record, verdict in zip(batch, verdicts):
            writer.write(output_row(record, verdict))
        writer.flush()
        try:
            os.fsync(writer.handle.fileno())
        except (OSError, ValueError, AttributeError):
            pass  # a pipe, a terminal or an in-memory stream: nothing to sync
        summary.written += len(batch)
        progress(len(batch))
        batch.clear()

    for record in pending(records, done or ResumePoint(), summary, errors):
        batch.append(record)
        if len(batch) >= max(batch_size, chunk_rows):
            flush()
    if batch:
        flush()
    return summary
