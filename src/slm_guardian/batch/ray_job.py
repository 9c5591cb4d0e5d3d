"""`guardian classify --engine ray`: the same batch job on Ray Data, an actor pool of guardians.

The driver reads the rows (JSONL or CSV with the same bad-row handling as the local path, or
Parquet) in chunks, Ray Data's actors each load the guardian once per chunk and judge batches
of texts, and the driver writes the results in input order with exactly the local path's
columns.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np

from slm_guardian.batch.local_job import ErrorLog, JobSummary, pending, verdict_columns, ResumePoint
from slm_guardian.batch.records import Record


@dataclass(frozen=True)
class GuardianSpec:
    """How each actor loads its guardian (plain data: it travels to the workers)."""

    adapter: str | None = None
    base_model: str | None = None
    config: str | None = None
    threshold: float | None = None
    backend: str = "torch"
    respond: bool = True
    threads: int = 1


class GuardianActor:
    """One guardian per Ray actor: loaded once, then called on batches of texts."""

    def __init__(self, spec: GuardianSpec) -> None:
        from slm_guardian.guardian import Guardian
        from slm_guardian.guardian_config import GuardianConfig

        config = GuardianConfig.from_yaml(spec.config) if spec.config else GuardianConfig()
        if spec.threshold is not None:
            config = config.with_changes(threshold=spec.threshold)
        self.guardian = Guardian.load(adapter=spec.adapter, base_model=spec.base_model, config=config, threads=spec.threads, backend=spec.backend)
        self.respond = spec.respond

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        answers = batch.get("answer")
        queries = [str(t) for t in batch["text"]]
        if answers is not None:  # --response-field: each answer judged in its prompt's context
            queries = [[{"role": "user", "content": q}, {"role": "assistant", "content": str(a)}] for q, a in zip(queries, answers)]
        verdicts = self.guardian.check_batch(queries, respond=self.respond, batch_size=len(queries))
        return {"index": batch["index"], "verdict": np.array([json.dumps(verdict_columns(v)) for v in verdicts], dtype=object)}


def read_parquet_records(path: str, text_field: str, response_field: str | None = None) -> Iterator[Record]:
    import pyarrow.parquet as pq

    from slm_guardian.batch.records import with_text

    parquet = pq.ParquetFile(path)
    columns = parquet.schema_arrow.names
    for name in (text_field, response_field):
        if name is not None and name not in columns:
            raise ValueError(f"Parquet file has no column {name!r}; columns: {', '.join(columns)}")
    number = 0
    for batch in parquet.iter_batches(batch_size=4096):  # streamed: never the whole file at once
        for row in batch.to_pylist():
            number += 1
            yield with_text(number, row, text_field, response_field)


def run_ray(
    records: Iterator[Record],
    write,
    errors: ErrorLog,
    spec: GuardianSpec,
    actors: int = 1,
    batch_size: int = 16,
    address: str | None = None,
    progress=lambda _: None,
    chunk_rows: int = 20_000,
    done: ResumePoint | None = None,
) -> JobSummary:
    """Judge `records` on a Ray actor pool and hand each output row to `write`, in input order.

    The driver holds at most `chunk_rows` input rows at a time: each chunk is one Ray dataset
    whose actor pool loads the guardian anew (a second or so per actor, small next to a chunk)."""
    import ray

    summary = JobSummary()
    rows = pending(records, done or ResumePoint(), summary, errors)
    chunk = list(islice(rows, chunk_rows))
    if not chunk:
        return summary
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # rows come back in input order
        context.enable_progress_bars = False
        while chunk:
            for out in _judge_chunk(ray, chunk, spec, actors, batch_size):
                write(out)
                summary.written += 1
                progress(1)
            chunk = list(islice(rows, chunk_rows))
    finally:
        if started_here:
            ray.shutdown()
    return summary


def _judge_chunk(ray, chunk: list[Record], spec: GuardianSpec, actors: int, batch_size: int) -> Iterator[dict]:
    from slm_guardian.batch.local_job import output_row

    items = [{"index": i, "text": r.text} | ({"answer": r.answer} if r.answer is not None else {}) for i, r in enumerate(chunk)]
    dataset = ray.data.from_items(items)
    judged = dataset.map_batches(
        GuardianActor,
        fn_constructor_kwargs={"spec": spec},
        batch_size=batch_size,
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=spec.threads,
    )
    for row in judged.iter_rows():
        out = output_row(chunk[int(row["index"])], None)
        out.update(json.loads(row["verdict"]))
        yield out


def threads_per_actor(actors: int) -> int:
    return max(1, (os.cpu_count() or 1) // actors)


class ParquetSink:
    """Writes rows to one Parquet file as they come (pyarrow `ParquetWriter`, a row group per
    `rows_per_group` rows), so memory stays flat and a stopped run leaves a readable file of
    the rows written so far once closed.

    The schema is fixed by the first row group: a column that is null throughout it is typed
    as a string, and the verdict columns always have their own types."""

    def __init__(self, path: Path, rows_per_group: int = 4096) -> None:
        self.path = path
        self.rows_per_group = rows_per_group
        self.rows: list[dict] = []
        self.written = 0
        self._writer = None

    def write(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.rows_per_group:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.rows:
            return
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, _schema(pa.Table.from_pylist(self.rows).schema))
        try:
            table = pa.Table.from_pylist(self.rows, schema=self._writer.schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            first, last = self.written + 1, self.written + len(self.rows)
            self.rows.clear()  # not retried on close: the file keeps the rows before them
            raise ValueError(f"rows {first}-{last} do not fit the Parquet schema of the first rows ({exc}); write JSONL output for rows whose fields differ") from exc
        self._writer.write_table(table)
        self.written += len(self.rows)
        self.rows.clear()

    def close(self) -> None:
        try:
            self._flush()
            if self._writer is None:  # no rows at all: still a valid (empty) file
                import pyarrow as pa
                import pyarrow.parquet as pq

                pq.write_table(pa.table({}), self.path)
        finally:
            if self._writer is not None:
                self._writer.close()
                self._writer = None


def _schema(inferred):
    import pyarrow as pa

    verdict_types = {
        "unsafe_score": pa.float64(),
        "flagged": pa.bool_(),
        "categories": pa.list_(pa.string()),
        "response": pa.string(),
        "response_unsafe_score": pa.float64(),
        "response_flagged": pa.bool_(),
        "response_categories": pa.list_(pa.string()),
        "refusal": pa.float64(),
    }
    fields = []
    for f in inferred:
        kind = verdict_types.get(f.name, pa.string() if pa.types.is_null(f.type) else f.type)
        fields.append(pa.field(f.name, kind))
    return pa.schema(fields)
