"""`guardian check` and `guardian classify`: judge one query, or a whole file (locally or on Ray)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from slm_guardian.cli.app import app
from slm_guardian.cli.common import AdapterOpt, BackendOpt, BaseOpt, ConfigOpt, ModelOpt, ThresholdOpt, err, fail, load_guardian, model_adapter, out, require


@app.command()
def check(
    text: str = typer.Argument(..., help="The query to judge ('-' reads it from stdin)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    force: bool = typer.Option(False, "--force-safeguard", help="Write a safeguard response even if the query is judged safe."),
    response: Optional[str] = typer.Option(None, "--response", help="An LLM's answer to TEXT: judge the answer in the query's context (needs an adapter trained with judge_responses)."),
    adapter: Optional[Path] = AdapterOpt,
    model: Optional[str] = ModelOpt,
    base_model: Optional[str] = BaseOpt,
    config: Optional[Path] = ConfigOpt,
    threshold: Optional[float] = ThresholdOpt,
    backend: str = BackendOpt,
) -> None:
    """Judge one query: flagged or safe, unsafe score, categories, and the safeguard response.
    With --response, judge that answer to the query instead (and how likely it declines)."""
    adapter = model_adapter(model, adapter)
    import json

    from slm_guardian.guardian import InvalidInput

    from slm_guardian.guardian import to_text

    if text == "-":
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    if response is not None and force:
        fail("--force-safeguard applies to a query; it cannot be combined with --response")
    try:
        text = to_text(text)  # fail on bad input before paying for the model load
        if response is not None:
            to_text(response)
    except InvalidInput as exc:
        fail(str(exc))
    guardian = load_guardian(adapter, base_model, config, threshold, backend)
    try:
        if response is not None:
            verdict = guardian.check_response(text, response)
        else:
            verdict = guardian.force_safeguard(text) if force else guardian.check(text)
    except InvalidInput as exc:
        fail(str(exc))
    if as_json:
        print(json.dumps(verdict.to_dict(), ensure_ascii=False))
        return
    if verdict.flagged:
        out.print(f"[bold red]FLAGGED[/]  unsafe score {verdict.unsafe_score:.3f}")
        for category in verdict.categories:
            out.print(f"  {category.code:<4} {category.name:<28} {category.score:.3f}", highlight=False)
    else:
        out.print(f"[bold green]SAFE[/]  unsafe score {verdict.unsafe_score:.3f}")
    if verdict.refusal is not None:
        out.print(f"judged: the response; it declines with probability {verdict.refusal:.3f}")
    if verdict.response:
        out.print(f"\n[bold]safeguard response:[/] {verdict.response}", highlight=False)


@app.command()
def classify(
    input_path: str = typer.Argument(..., metavar="IN", help="JSONL or CSV file to moderate ('-' for stdin); Parquet too with --engine ray."),
    output: str = typer.Option("-", "-o", "--output", help="Where to write the moderated rows ('-' for stdout)."),
    text_field: str = typer.Option("text", "--text-field", help="The field (JSONL key or CSV column) holding the text."),
    response_field: Optional[str] = typer.Option(None, "--response-field", help="A field holding an LLM's answer to the text: judge that answer in the text's context, adding response_unsafe_score, response_flagged, response_categories and refusal (needs an adapter trained with judge_responses)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="jsonl or csv (default: from the file name; stdin is jsonl)."),
    batch_size: int = typer.Option(16, "--batch-size", min=1, max=1024, help="Rows per model batch."),
    no_response: bool = typer.Option(False, "--no-response", help="Skip writing safeguard responses (faster)."),
    errors_path: Optional[Path] = typer.Option(None, "--errors", help="Where bad rows are listed with their line numbers (default: OUTPUT.errors.jsonl; stderr when writing to stdout)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run: keep OUTPUT's finished rows and moderate only the rest."),
    engine: str = typer.Option("local", "--engine", help="local (this process) or ray (Ray Data actor pool; see --actors, --ray-address)."),
    actors: int = typer.Option(1, "--actors", min=1, help="With --engine ray: guardian actors, each loading the model once."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="With --engine ray: an existing cluster (e.g. ray://head:10001); default starts a local Ray."),
    chunk_rows: Optional[int] = typer.Option(None, "--chunk-rows", min=1, help="Rows read, judged together (sorted by length across them) and written at a time: default 256; with --engine ray, rows the driver holds at a time, default 20000 (each chunk reloads the actors' models)."),
    adapter: Optional[Path] = AdapterOpt,
    model: Optional[str] = ModelOpt,
    base_model: Optional[str] = BaseOpt,
    config: Optional[Path] = ConfigOpt,
    threshold: Optional[float] = ThresholdOpt,
    backend: str = BackendOpt,
) -> None:
    """Moderate a file in batches; each output row keeps its fields and adds the verdict.

    Added fields: unsafe_score, flagged, categories, category_scores, response (null when not
    flagged); with --response-field, the answer's verdict instead: response_unsafe_score,
    response_flagged, response_categories, refusal (P(the answer declines)). Row order is preserved. Malformed rows go to the errors file with their line
    numbers and do not stop the run (exit code 1 when there were any); rows in = rows written
    + rows in the errors file. Output is flushed after every batch: after a crash or kill, run
    the same command with --resume.
    """
    adapter = model_adapter(model, adapter)
    from tqdm import tqdm

    from slm_guardian.batch.local_job import LOCAL_CHUNK_ROWS, ErrorLog, ResumePoint, resume_point, run_local
    from slm_guardian.batch.records import RecordWriter, detect_format, open_text, read_records

    if engine not in ("local", "ray"):
        fail(f"--engine must be local or ray, not {engine!r}")
    if input_path != "-" and not Path(input_path).is_file():
        fail(f"input file {input_path} not found")
    if response_field is not None:
        _needs_the_response_task(adapter)
        no_response = True  # an answer's verdict carries no safeguard reply
    if engine == "ray":
        _classify_ray(input_path, output, text_field, response_field, fmt, batch_size, not no_response, actors, ray_address, chunk_rows or 20_000, resume, adapter, base_model, config, threshold, backend)
        return
    try:
        file_format = detect_format(input_path if input_path != "-" else output, fmt)
    except ValueError as exc:
        fail(str(exc))
    if resume and (output == "-" or file_format != "jsonl"):
        fail("--resume needs a JSONL output file (-o out.jsonl)")
    if output != "-" and Path(output).exists() and not resume and Path(output).stat().st_size > 0:
        fail(f"{output} already exists; pass --resume to continue it, or remove it")
    if errors_path is None and output != "-":
        errors_path = Path(output + ".errors.jsonl")
    _check_input(input_path, output, resume)
    done = resume_point(Path(output), errors_path) if resume else ResumePoint()
    # A bulk job: full batches, where every core helps (the fast path defaults to one thread).
    guardian = load_guardian(adapter, base_model, config, threshold, backend, threads=os.cpu_count())
    source = open_text(input_path, "r", stdin=sys.stdin)
    sink = open_text(output, "a" if resume else "w", stdout=sys.stdout)
    error_handle = errors_path.open("a" if resume else "w", encoding="utf-8") if errors_path else None
    progress = tqdm(desc="classify", unit="row", disable=None, file=sys.stderr)  # None: off when stderr is not a terminal
    log = ErrorLog(error_handle)
    try:
        records = read_records(source, file_format, text_field, response_field)
        summary = run_local(guardian, records, RecordWriter(sink, file_format), log, batch_size, not no_response, done, progress.update, chunk_rows or LOCAL_CHUNK_ROWS)
    except ValueError as exc:
        fail(str(exc))
    finally:
        progress.close()
        for handle, path in ((source, input_path), (sink, output)):
            if path != "-":
                handle.close()
        if error_handle:
            error_handle.close()
    for message in log.messages[:5]:
        err.print(f"[yellow]skipped[/] {message}", highlight=False)
    if len(log.messages) > 5:
        err.print(f"... and {len(log.messages) - 5} more", highlight=False)
    where = output if output != "-" else "stdout"
    resumed = f" ({summary.skipped_done} already done by an earlier run)" if summary.skipped_done else ""
    bad = f"; {summary.errors} bad rows listed in {errors_path}" if errors_path and summary.errors else (f"; {summary.errors} skipped" if summary.errors else "")
    err.print(f"{summary.rows_in} rows read; {summary.written + summary.skipped_done} rows in {where}{resumed}{bad}", highlight=False)
    if summary.errors:
        raise typer.Exit(1)


def _needs_the_response_task(adapter: Optional[Path]) -> None:
    """Fail before any work when the adapter cannot judge answers."""
    from slm_guardian.guardian import default_adapter_dir
    from slm_guardian.model.loading import FormatSpec

    folder = Path(adapter) if adapter else default_adapter_dir()
    try:
        judges = FormatSpec.read(folder).judges_responses
    except (OSError, ValueError, KeyError):
        return  # loading the adapter reports what is wrong with it
    if not judges:
        fail(f"--response-field needs an adapter trained to judge responses (judge_responses: true); {folder} judges prompts only")


def _check_input(input_path: str, output: str, resume: bool) -> None:
    """A fresh run records which input its output is made from; a resumed run checks it."""
    from slm_guardian.batch.fingerprint import InputChanged, check_same_input, record_input

    if output == "-":
        return
    if input_path == "-":
        if resume:
            err.print("[yellow]warning[/] the input is stdin, so --resume cannot check it is the same input as before", highlight=False)
        return
    if not resume:
        record_input(output, input_path)
        return
    try:
        checked = check_same_input(output, input_path)
    except InputChanged as exc:
        fail(str(exc))
    if not checked:
        err.print(f"[yellow]warning[/] {output} records no input fingerprint (an older run); cannot check it was made from {input_path}", highlight=False)


def _classify_ray(input_path, output, text_field, response_field, fmt, batch_size, respond, actors, ray_address, chunk_rows, resume, adapter, base_model, config, threshold, backend) -> None:
    """`classify --engine ray`: read here, judge on a Ray actor pool, write here in input order."""
    require("ray", "ray", "ray.data")
    from slm_guardian.batch.local_job import ErrorLog, ResumePoint, resume_point
    from slm_guardian.batch.ray_job import GuardianSpec, ParquetSink, read_parquet_records, run_ray, threads_per_actor
    from slm_guardian.batch.records import RecordWriter, detect_format, open_text, read_records

    if input_path == "-" or output == "-":
        fail("--engine ray reads and writes files (not stdin/stdout)")
    parquet_in = input_path.lower().endswith(".parquet")
    parquet_out = output.lower().endswith(".parquet")
    try:
        in_format = "parquet" if parquet_in else detect_format(input_path, fmt)
        out_format = "parquet" if parquet_out else detect_format(output, fmt if not parquet_in else None)
    except ValueError as exc:
        fail(str(exc))
    if resume and out_format != "jsonl":
        fail("--resume needs a JSONL output file: a Parquet or CSV file cut by a kill cannot be continued")
    if Path(output).exists() and Path(output).stat().st_size > 0 and not resume:
        fail(f"{output} already exists; pass --resume to continue it, or remove it")
    errors_path = Path(output + ".errors.jsonl")
    _check_input(input_path, output, resume)
    done = resume_point(Path(output), errors_path) if resume else ResumePoint()
    spec = GuardianSpec(
        adapter=str(adapter) if adapter else None,
        base_model=base_model,
        config=str(config) if config else None,
        threshold=threshold,
        backend=backend,
        respond=respond,
        threads=threads_per_actor(actors),
    )
    source = None if parquet_in else open_text(input_path, "r")
    sink = ParquetSink(Path(output)) if parquet_out else None
    handle = None if parquet_out else open_text(output, "a" if resume else "w")
    writer = RecordWriter(handle, out_format) if handle else None
    with errors_path.open("a" if resume else "w", encoding="utf-8") as error_handle:
        log = ErrorLog(error_handle)
        try:
            records = read_parquet_records(input_path, text_field, response_field) if parquet_in else read_records(source, in_format, text_field, response_field)
            with err.status(f"moderating on Ray with {actors} actor(s)"):
                summary = run_ray(records, sink.write if sink else writer.write, log, spec, actors, batch_size, ray_address, chunk_rows=chunk_rows, done=done)
        except ValueError as exc:
            fail(str(exc))
        finally:
            if sink:
                sink.close()  # the rows judged so far stay readable, even after an error
            if source:
                source.close()
            if handle:
                handle.close()
    bad = f"; {summary.errors} bad rows listed in {errors_path}" if summary.errors else ""
    resumed = f" ({summary.skipped_done} already done by an earlier run)" if summary.skipped_done else ""
    err.print(f"{summary.rows_in} rows read; {summary.written + summary.skipped_done} rows in {output}{resumed}{bad}", highlight=False)
    if summary.errors:
        raise typer.Exit(1)
