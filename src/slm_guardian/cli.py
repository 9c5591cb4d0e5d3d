"""The `guardian` command: a thin shell over the library."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="slm-guardian: flag harmful queries and write safeguard responses with one small model.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
data_app = typer.Typer(help="Build the multi-task training data from public sources.", no_args_is_help=True)
app.add_typer(data_app, name="data")
out = Console()
err = Console(stderr=True, soft_wrap=True)  # one error, one line, whatever the terminal width


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error to stderr and exit non-zero (no traceback)."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


AdapterOpt = typer.Option(None, "--adapter", help="Adapter folder (default: $SLM_GUARDIAN_ADAPTER, else the shipped model).")
BaseOpt = typer.Option(None, "--base-model", help="Base model: smollm2-135m, qwen2.5-coder-0.5b (packaged) or a Hugging Face causal-LM folder.")
ConfigOpt = typer.Option(None, "--config", help="Guardian config YAML: thresholds, per-category thresholds, disabled categories.")
ThresholdOpt = typer.Option(None, "--threshold", min=0.0, max=1.0, help="Unsafe-score threshold (overrides the config).")
BackendOpt = typer.Option("torch", "--backend", help="Inference backend: torch (reference, fp32) or ctranslate2 (int8 fast path, converted once and cached).")


def load_guardian(adapter: Optional[Path], base_model: Optional[str], config: Optional[Path], threshold: Optional[float], backend: str = "torch", threads: Optional[int] = None):
    """The guardian, or a clean exit with the reason it could not load."""
    from slm_guardian.errors import GuardianError
    from slm_guardian.guardian import BACKENDS, Guardian
    from slm_guardian.guardian_config import GuardianConfig

    if backend not in BACKENDS:
        fail(f"--backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    try:
        cfg = GuardianConfig.from_yaml(config) if config else GuardianConfig()
        if threshold is not None:
            cfg = cfg.with_changes(threshold=threshold)
        with err.status("loading the guardian"):
            return Guardian.load(adapter=adapter, base_model=base_model, config=cfg, backend=backend, threads=threads)
    except (GuardianError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))


@app.command()
def check(
    text: str = typer.Argument(..., help="The query to judge ('-' reads it from stdin)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    force: bool = typer.Option(False, "--force-safeguard", help="Write a safeguard response even if the query is judged safe."),
    adapter: Optional[Path] = AdapterOpt,
    base_model: Optional[str] = BaseOpt,
    config: Optional[Path] = ConfigOpt,
    threshold: Optional[float] = ThresholdOpt,
    backend: str = BackendOpt,
) -> None:
    """Judge one query: flagged or safe, unsafe score, categories, and the safeguard response."""
    import json

    from slm_guardian.guardian import InvalidInput

    from slm_guardian.guardian import to_text

    if text == "-":
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    try:
        text = to_text(text)  # fail on bad input before paying for the model load
    except InvalidInput as exc:
        fail(str(exc))
    guardian = load_guardian(adapter, base_model, config, threshold, backend)
    verdict = guardian.force_safeguard(text) if force else guardian.check(text)
    if as_json:
        print(json.dumps(verdict.to_dict(), ensure_ascii=False))
        return
    if verdict.flagged:
        out.print(f"[bold red]FLAGGED[/]  unsafe score {verdict.unsafe_score:.3f}")
        for category in verdict.categories:
            out.print(f"  {category.code:<4} {category.name:<28} {category.score:.3f}", highlight=False)
    else:
        out.print(f"[bold green]SAFE[/]  unsafe score {verdict.unsafe_score:.3f}")
    if verdict.response:
        out.print(f"\n[bold]safeguard response:[/] {verdict.response}", highlight=False)


@app.command()
def classify(
    input_path: str = typer.Argument(..., metavar="IN", help="JSONL or CSV file to moderate ('-' for stdin); Parquet too with --engine ray."),
    output: str = typer.Option("-", "-o", "--output", help="Where to write the moderated rows ('-' for stdout)."),
    text_field: str = typer.Option("text", "--text-field", help="The field (JSONL key or CSV column) holding the text."),
    fmt: Optional[str] = typer.Option(None, "--format", help="jsonl or csv (default: from the file name; stdin is jsonl)."),
    batch_size: int = typer.Option(16, "--batch-size", min=1, max=1024, help="Rows per model batch."),
    no_response: bool = typer.Option(False, "--no-response", help="Skip writing safeguard responses (faster)."),
    errors_path: Optional[Path] = typer.Option(None, "--errors", help="Where bad rows are listed with their line numbers (default: OUTPUT.errors.jsonl; stderr when writing to stdout)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run: keep OUTPUT's finished rows and moderate only the rest."),
    engine: str = typer.Option("local", "--engine", help="local (this process) or ray (Ray Data actor pool; see --actors, --ray-address)."),
    actors: int = typer.Option(1, "--actors", min=1, help="With --engine ray: guardian actors, each loading the model once."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="With --engine ray: an existing cluster (e.g. ray://head:10001); default starts a local Ray."),
    chunk_rows: int = typer.Option(20_000, "--chunk-rows", min=1, help="With --engine ray: input rows the driver holds at a time (each chunk reloads the actors' models)."),
    adapter: Optional[Path] = AdapterOpt,
    base_model: Optional[str] = BaseOpt,
    config: Optional[Path] = ConfigOpt,
    threshold: Optional[float] = ThresholdOpt,
    backend: str = BackendOpt,
) -> None:
    """Moderate a file in batches; each output row keeps its fields and adds the verdict.

    Added fields: unsafe_score, flagged, categories, category_scores, response (null when not
    flagged). Row order is preserved. Malformed rows go to the errors file with their line
    numbers and do not stop the run (exit code 1 when there were any); rows in = rows written
    + rows in the errors file. Output is flushed after every batch: after a crash or kill, run
    the same command with --resume.
    """
    from tqdm import tqdm

    from slm_guardian.batch_job import ErrorLog, ResumePoint, resume_point, run_local
    from slm_guardian.records import RecordWriter, detect_format, open_text, read_records

    if engine not in ("local", "ray"):
        fail(f"--engine must be local or ray, not {engine!r}")
    if input_path != "-" and not Path(input_path).is_file():
        fail(f"input file {input_path} not found")
    if engine == "ray":
        _classify_ray(input_path, output, text_field, fmt, batch_size, not no_response, actors, ray_address, chunk_rows, adapter, base_model, config, threshold, backend)
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
    done = resume_point(Path(output), errors_path) if resume else ResumePoint()
    # A bulk job: full batches, where every core helps (the fast path defaults to one thread).
    guardian = load_guardian(adapter, base_model, config, threshold, backend, threads=os.cpu_count())
    source = open_text(input_path, "r", stdin=sys.stdin)
    sink = open_text(output, "a" if resume else "w", stdout=sys.stdout)
    error_handle = errors_path.open("a" if resume else "w", encoding="utf-8") if errors_path else None
    progress = tqdm(desc="classify", unit="row", disable=None, file=sys.stderr)  # None: off when stderr is not a terminal
    log = ErrorLog(error_handle)
    try:
        summary = run_local(guardian, read_records(source, file_format, text_field), RecordWriter(sink, file_format), log, batch_size, not no_response, done, progress.update)
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


def _classify_ray(input_path, output, text_field, fmt, batch_size, respond, actors, ray_address, chunk_rows, adapter, base_model, config, threshold, backend) -> None:
    """`classify --engine ray`: read here, judge on a Ray actor pool, write here in input order."""
    from slm_guardian.batch_job import ErrorLog
    from slm_guardian.ray_job import GuardianSpec, ParquetSink, read_parquet_records, run_ray, threads_per_actor
    from slm_guardian.records import RecordWriter, detect_format, open_text, read_records

    if input_path == "-" or output == "-":
        fail("--engine ray reads and writes files (not stdin/stdout)")
    try:
        import ray  # noqa: F401
    except ImportError:
        fail("--engine ray needs Ray Data: pip install 'ray[data]'")
    parquet_in = input_path.lower().endswith(".parquet")
    parquet_out = output.lower().endswith(".parquet")
    try:
        in_format = "parquet" if parquet_in else detect_format(input_path, fmt)
        out_format = "parquet" if parquet_out else detect_format(output, fmt if not parquet_in else None)
    except ValueError as exc:
        fail(str(exc))
    errors_path = Path(output + ".errors.jsonl")
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
    handle = None if parquet_out else open_text(output, "w")
    writer = RecordWriter(handle, out_format) if handle else None
    with errors_path.open("w", encoding="utf-8") as error_handle:
        log = ErrorLog(error_handle)
        try:
            records = read_parquet_records(input_path, text_field) if parquet_in else read_records(source, in_format, text_field)
            with err.status(f"moderating on Ray with {actors} actor(s)"):
                summary = run_ray(records, sink.write if sink else writer.write, log, spec, actors, batch_size, ray_address, chunk_rows=chunk_rows)
            if sink:
                sink.close()
        except ValueError as exc:
            fail(str(exc))
        finally:
            if source:
                source.close()
            if handle:
                handle.close()
    bad = f"; {summary.errors} bad rows listed in {errors_path}" if summary.errors else ""
    err.print(f"{summary.rows_in} rows read; {summary.written} rows in {output}{bad}", highlight=False)
    if summary.errors:
        raise typer.Exit(1)


@app.command()
def taxonomy(
    file: Optional[Path] = typer.Option(None, "--file", help="Show this taxonomy YAML instead of the packaged one."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    policy: bool = typer.Option(False, "--policy", help="Print the written policy (unsafe in any frame, safe, edge cases, examples) as Markdown."),
) -> None:
    """List the harm categories: code, name and definition (--policy: the full written policy)."""
    import json
    from dataclasses import asdict

    from slm_guardian.policy_doc import policy_markdown
    from slm_guardian.taxonomy import Taxonomy, TaxonomyError

    try:
        tax = Taxonomy.from_yaml(file) if file else Taxonomy.default()
    except TaxonomyError as exc:
        fail(str(exc))
    if policy and not as_json:
        print(policy_markdown(tax), end="")
        return
    if as_json:
        rows = [
            {"code": c.code, "name": c.name, "definition": c.definition, "openai": list(c.openai), "priority": c.priority, "policy": asdict(c.policy) if c.policy else None}
            for c in tax.categories
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="harm categories")
    table.add_column("code", style="bold")
    table.add_column("name")
    table.add_column("definition")
    for c in tax.categories:
        table.add_row(c.code, c.name, c.definition)
    out.print(table)


@app.command(name="eval")
def evaluate(
    datasets: list[str] = typer.Argument(None, help="dev, jbb, jbb-harmful, jbb-benign, coconot, hatecheck, toxigen, policy-probes, or labelled JSONL files (text, unsafe, optional categories and label). Default: the whole dev suite (all of these but jbb)."),
    data: Path = typer.Option(Path("build/data"), "--data", help="Built data folder holding train.jsonl, dev.jsonl and jbb.jsonl."),
    report_dir: Optional[Path] = typer.Option(None, "--report", help="Write report.md, PNG plots and results.json into this folder."),
    baselines: Optional[str] = typer.Option(None, "--baselines", help="Comma-separated: keyword, profanity, minilm, zero-shot (detectors); static, prompted-refusal (responses); or 'all'."),
    compare: Optional[list[str]] = typer.Option(None, "--compare", help="NAME=ADAPTER_DIR: another adapter to evaluate side by side (e.g. the ablation models). Repeatable."),
    source: Path = typer.Option(Path("../shared/data"), "--source", help="Shared data folder; its PyRIT refusal labels validate the refusal detector."),
    output: Optional[Path] = typer.Option(None, "--out", help="Also write all metrics as JSON here."),
    no_responses: bool = typer.Option(False, "--no-responses", help="Skip generating responses (detection only)."),
    no_latency: bool = typer.Option(False, "--no-latency", help="Skip the latency measurement."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Use at most this many rows per dataset (seeded sample)."),
    max_responses: Optional[int] = typer.Option(None, "--max-responses", min=1, help="Decode responses for at most this many flagged harmful rows per dataset (seeded sample)."),
    adapter: Optional[Path] = AdapterOpt,
    base_model: Optional[str] = BaseOpt,
    config: Optional[Path] = ConfigOpt,
    threshold: Optional[float] = ThresholdOpt,
    backend: str = BackendOpt,
) -> None:
    """Measure detection, categories, safeguard responses and CPU latency, side by side with baselines."""
    import json
    import random
    import shlex
    import sys

    from slm_guardian.baselines import BASELINE_NAMES, make_baseline
    from slm_guardian.evaluate import DEV_SUITE, breakdown_tables, detection_table, evaluate_dataset, latency, load_dataset, response_table
    from slm_guardian.refusal_check import validate_refusal_detector

    names = datasets or list(DEV_SUITE)
    wanted = [] if not baselines else (list(BASELINE_NAMES) if baselines.strip() == "all" else [b.strip() for b in baselines.split(",") if b.strip()])
    unknown = [b for b in wanted if b not in BASELINE_NAMES]
    if unknown:
        fail(f"unknown baseline(s) {', '.join(unknown)}; choose from {', '.join(BASELINE_NAMES)} or 'all'")
    variants_wanted: dict[str, Path] = {}
    for item in compare or []:
        name, sep, folder = item.partition("=")
        if not sep or not name.strip() or not folder.strip():
            fail(f"--compare needs NAME=ADAPTER_DIR, got {item!r}")
        if name.strip() == "guardian" or name.strip() in BASELINE_NAMES:
            fail(f"--compare name {name.strip()!r} is taken; pick another")
        variants_wanted[name.strip()] = Path(folder.strip())
    loaded = []
    for name in names:
        try:
            loaded.append(load_dataset(name, data))
        except (FileNotFoundError, ValueError) as exc:
            fail(str(exc))
    guardian = load_guardian(adapter, base_model, config, threshold, backend)
    variants = {name: load_guardian(folder, base_model, config, threshold, backend) for name, folder in variants_wanted.items()}
    built = []
    for name in wanted:
        with err.status(f"preparing baseline {name}"):
            try:
                built.append(make_baseline(name, guardian.taxonomy, data / "train.jsonl", base_model, progress=err.print))
            except (FileNotFoundError, RuntimeError) as exc:
                fail(str(exc))
    results = []
    for name, rows in loaded:
        if limit and len(rows) > limit:
            rows = random.Random(0).sample(rows, limit)
        err.print(f"evaluating {name} ({len(rows)} rows)")
        results.append(evaluate_dataset(name, rows, guardian, variants, built, respond=not no_responses, max_responses=max_responses))
    extras: dict = {"threshold": guardian.config.threshold}
    if not no_latency:
        extras["latency"] = latency(guardian)
    try:
        extras["refusal_detector"] = validate_refusal_detector(source).to_json()
    except FileNotFoundError as exc:
        err.print(f"refusal detector not validated: {exc}")
    out.print(detection_table(results), highlight=False, soft_wrap=True)
    for table in breakdown_tables(results):
        out.print("\n" + table, highlight=False, soft_wrap=True)
    if not no_responses:
        out.print(response_table(results), highlight=False, soft_wrap=True)
    if "latency" in extras:
        lat = extras["latency"]
        out.print(f"latency ({lat['query_words']}-word query): detection p50 {lat['detection_ms_p50']:.0f} ms, with response p50 {lat['with_response_ms_p50']:.0f} ms", highlight=False)
    if "refusal_detector" in extras:
        check = extras["refusal_detector"]
        out.print(f"refusal detector vs PyRIT human labels: accuracy {check['accuracy']:.3f} on {check['n']} responses", highlight=False)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        payload = {"results": {d.name: {s: r.metrics for s, r in d.systems.items()} for d in results}, **extras}
        output.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        out.print(f"results written to {output}")
    if report_dir:
        from slm_guardian.report import write_report

        command = "guardian " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        path = write_report(results, report_dir, command, extras)
        out.print(f"report written to {path}")


@app.command()
def bench(
    data: Path = typer.Option(Path("build/data"), "--data", help="Built data folder (dev.jsonl supplies the queries)."),
    queries: int = typer.Option(128, "--queries", min=64, help="Dev queries for the throughput runs (at least one batch of 64)."),
    repeats: int = typer.Option(30, "--repeats", min=3, help="Timed repeats per latency figure."),
    no_minilm: bool = typer.Option(False, "--no-minilm", help="Skip the MiniLM baseline row."),
    output: Optional[Path] = typer.Option(None, "--out", help="Also write the raw figures as JSON."),
    adapter: Optional[Path] = AdapterOpt,
) -> None:
    """Speed and memory of the reference path, the fast path and MiniLM, measured in one run."""
    import json

    from slm_guardian.bench import run, table

    if not (data / "dev.jsonl").is_file():
        fail(f"{data / 'dev.jsonl'} not found (run `guardian data build` first)")
    try:
        report = run(data, queries, repeats, not no_minilm, adapter)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    out.print(table(report), highlight=False, soft_wrap=True)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind (localhost by default; 0.0.0.0 exposes it)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="TCP port."),
    upstream: Optional[str] = typer.Option(None, "--upstream", help="OpenAI-compatible base URL (e.g. http://127.0.0.1:8080/v1) that safe chats are forwarded to."),
    api_key_env: Optional[str] = typer.Option(None, "--api-key-env", help="Name of the environment variable holding the API key clients must send."),
    upstream_key_env: Optional[str] = typer.Option(None, "--upstream-key-env", help="Environment variable holding the upstream's API key."),
    max_batch: int = typer.Option(16, "--max-batch", min=1, max=256, help="Largest micro-batch of queued texts."),
    max_queue: int = typer.Option(256, "--max-queue", min=1, help="Queued texts beyond this get 503 + Retry-After."),
    log_prompts: bool = typer.Option(False, "--log-prompts", help="Log prompt text (off by default: prompts are private)."),
    adapter: Optional[Path] = AdapterOpt,
    base_model: Optional[str] = BaseOpt,
    config: Optional[Path] = ConfigOpt,
    threshold: Optional[float] = ThresholdOpt,
    backend: str = BackendOpt,
) -> None:
    """Serve /v1/moderations, /v1/guard, a guarded /v1/chat/completions proxy, /metrics and a playground."""
    import logging
    import os

    import uvicorn

    from slm_guardian.serving.app import create_app
    from slm_guardian.serving.settings import ServerSettings

    def secret(name: Optional[str], flag: str) -> Optional[str]:
        if not name:
            return None
        value = os.environ.get(name)
        if not value:
            fail(f"{flag} {name}: that environment variable is not set or empty")
        return value

    settings = ServerSettings(
        upstream=upstream,
        api_key=secret(api_key_env, "--api-key-env"),
        upstream_api_key=secret(upstream_key_env, "--upstream-key-env"),
        max_batch=max_batch,
        max_queue=max_queue,
        log_prompts=log_prompts,
    )
    guardian = load_guardian(adapter, base_model, config, threshold, backend)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    err.print(f"serving on http://{host}:{port}  (playground at /, API under /v1)")
    uvicorn.run(create_app(guardian, settings), host=host, port=port, log_level="warning", access_log=False)


@data_app.command("build")
def data_build(
    source: Path = typer.Option(Path("../shared/data"), "--source", help="Folder of the public datasets (../shared/data)."),
    out_dir: Path = typer.Option(Path("build/data"), "--out", help="Where train.jsonl, dev.jsonl, jbb.jsonl and stats.json go."),
    config: Optional[Path] = typer.Option(Path("configs/data.yaml"), "--config", help="Data config (caps, seed, dev share)."),
    taxonomy: Optional[Path] = typer.Option(None, "--taxonomy", help="Taxonomy YAML (default: the packaged one)."),
) -> None:
    """Turn the raw public sets into labelled multi-task examples with a fixed dev split."""
    from slm_guardian.data.build import DataConfig, build, write
    from slm_guardian.data.sources import SourceError
    from slm_guardian.taxonomy import Taxonomy, TaxonomyError

    if not source.is_dir():
        fail(f"--source {source} is not a folder")
    try:
        tax = Taxonomy.from_yaml(taxonomy) if taxonomy else Taxonomy.default()
        cfg = DataConfig.from_yaml(config) if config and config.exists() else DataConfig()
        with err.status("building the data set"):
            result = build(source, tax, cfg)
    except (SourceError, TaxonomyError, ValueError, TypeError) as exc:
        fail(str(exc))
    write(result, out_dir)
    counts = result.counts()
    table = Table(title=f"data written to {out_dir}")
    table.add_column("split / source")
    table.add_column("rows", justify="right")
    for split in ("train", "dev", "jbb"):
        table.add_row(f"[bold]{split}[/]", f"{counts[split]['rows']} ({counts[split]['unsafe']} unsafe)")
        for key, n in counts[split]["by_source"].items():
            table.add_row(f"  {key}", str(n))
    out.print(table)
    cats = Table(title="categories of unsafe rows")
    cats.add_column("code")
    for split in ("train", "dev", "jbb"):
        cats.add_column(split, justify="right")
    for code in tax.codes:
        cats.add_row(code, *(str(counts[s]["by_category"].get(code, 0)) for s in ("train", "dev", "jbb")))
    out.print(cats)
    out.print(f"dropped: {counts['dropped']}")
    out.print(f"categories of unsafe rows given by: {counts['labelled_by']}")


@data_app.command("mine")
def data_mine(
    source: Path = typer.Option(Path("../shared/data"), "--source", help="Folder of the public datasets (../shared/data)."),
    config: Path = typer.Option(Path("configs/data.yaml"), "--config", help="Data config whose caps decide which safe rows are left out."),
    out_path: Path = typer.Option(..., "--out", help="Where the list goes (JSONL of text keys and scores; name it in a data config's hard_negatives)."),
    from_sources: str = typer.Option("alpaca", "--sources", help="Comma-separated sources whose left-out safe rows are scored."),
    min_score: float = typer.Option(0.5, "--min-score", min=0.0, max=1.0, help="Keep rows the guard scores at least this unsafe."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Keep at most this many, highest scores first."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, max=1024, help="Rows per model batch."),
    adapter: Optional[Path] = AdapterOpt,
    base_model: Optional[str] = BaseOpt,
    backend: str = BackendOpt,
) -> None:
    """List hard negatives: safe rows the caps leave out that a trained guard scores unsafe.

    Only text keys and scores are written, never the rows (the sources' licences forbid
    redistributing them); `guardian data build` reads the list named by the data config's
    `hard_negatives` and keeps those rows past the caps.
    """
    from tqdm import tqdm

    from slm_guardian.data.build import DataConfig, collect, left_out_by_caps
    from slm_guardian.data.mining import mine, write_list
    from slm_guardian.data.sources import SourceError

    if not source.is_dir():
        fail(f"--source {source} is not a folder")
    if not config.is_file():
        fail(f"--config {config} not found")
    if out_path.exists():
        fail(f"{out_path} already exists; remove it or choose another --out")
    wanted = {s.strip() for s in from_sources.split(",") if s.strip()}
    try:
        cfg = DataConfig.from_yaml(config)
        with err.status("reading the sources"):
            candidates, _, _ = collect(source, cfg)
    except (SourceError, ValueError, TypeError) as exc:
        fail(str(exc))
    known = {r.source for r in candidates}
    if not wanted or wanted - known:
        fail(f"--sources must name sources of the build, got {sorted(wanted - known) or from_sources!r}; known: {sorted(known)}")
    pool = [r for r in left_out_by_caps(candidates, cfg) if r.source in wanted]
    if not pool:
        fail(f"the caps of {config} leave out no safe rows of {sorted(wanted)}")
    guardian = load_guardian(adapter, base_model, None, None, backend, threads=os.cpu_count())

    def score(texts: list[str]) -> list[float]:
        return [v.unsafe_score for v in guardian.check_batch(texts, respond=False, batch_size=batch_size)]

    with tqdm(total=len(pool), desc="mine", unit="row", disable=None, file=sys.stderr) as progress:
        mined = mine(pool, score, min_score, limit, batch_size, progress.update)
    header = {
        "command": "guardian " + " ".join(sys.argv[1:]),
        "adapter": str(adapter or os.environ.get("SLM_GUARDIAN_ADAPTER") or "shipped"),
        "backend": backend,
        "pool": len(pool),
        "min_score": min_score,
        "rows": len(mined),
    }
    write_list(out_path, mined, header)
    out.print(f"{len(mined)} of {len(pool)} left-out safe rows scored >= {min_score}; list written to {out_path}")


@app.command()
def train(
    config: Path = typer.Option(..., "--config", help="Training config YAML (configs/smollm2-135m.yaml)."),
    data: Path = typer.Option(Path("build/data"), "--data", help="Built data folder (train.jsonl), or the raw ../shared/data to build first."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Where to write the adapter (default build/adapters/<name>)."),
    base_model: Optional[str] = typer.Option(None, "--base-model", help="A packaged base (smollm2-135m, qwen2.5-coder-0.5b) or a Hugging Face causal-LM folder, instead of the config's base."),
    device: Optional[str] = typer.Option(None, "--device", help="cpu or cuda (default: cuda when available)."),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="Stop after this many steps (smoke tests)."),
    checkpoint_every: Optional[int] = typer.Option(None, "--checkpoint-every", min=1, help="Save the training state to OUT/checkpoint.pt every N steps."),
    pause_after: Optional[int] = typer.Option(None, "--pause-after", min=1, help="Stop after step N with a checkpoint written; --resume continues."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run whose checkpoint is in --out (same config, data and base)."),
    max_batch_tokens: Optional[int] = typer.Option(None, "--max-batch-tokens", min=16, help="Run each batch in parts of at most N padded tokens: the same steps in less memory (a 0.5B base needs ~2048 on 24 GB)."),
    snapshot: Optional[Path] = typer.Option(None, "--snapshot", help="Do not train: save the unfinished run's checkpoint (in --out) as an adapter in this new folder, to evaluate the run before it ends."),
) -> None:
    """LoRA fine-tune the multi-task guard model.

    A run longer than a session can be split: --checkpoint-every keeps a checkpoint that survives
    a kill, --pause-after stops cleanly, and the same command with --resume goes on where it
    stopped and gives the same adapter. --snapshot turns the latest checkpoint into an adapter
    folder (for guardian eval or classify --adapter) and leaves the run as it was."""
    from slm_guardian.train_config import TrainConfig

    if not config.is_file():
        fail(f"config file {config} not found")
    try:
        cfg = TrainConfig.from_yaml(config)
    except (ValueError, TypeError) as exc:
        fail(str(exc))
    target = out_dir or Path("build/adapters") / cfg.name
    if snapshot is not None:
        _snapshot(cfg, target, snapshot, base_model)
        return
    train_file = _training_file(data, cfg)
    from slm_guardian.data.build import read_examples
    from slm_guardian.train import train as run_training
    from slm_guardian.train_checkpoint import CHECKPOINT_FILE

    examples = read_examples(train_file)
    if resume and not (target / CHECKPOINT_FILE).is_file():
        fail(f"nothing to resume: no {CHECKPOINT_FILE} in {target}")
    if not resume and (target / CHECKPOINT_FILE).is_file():
        fail(f"{target} holds an unfinished run: add --resume to continue it, or delete {target / CHECKPOINT_FILE} to start over")
    command = "guardian " + " ".join(a for a in sys.argv[1:] if a != "--resume")
    try:
        record = run_training(
            cfg, examples, target, base_model=base_model, device=device, command=command, max_steps=max_steps,
            checkpoint_every=checkpoint_every, pause_after=pause_after, resume=resume, max_batch_tokens=max_batch_tokens,
        )
    except ValueError as exc:
        fail(str(exc))
    if record is None:
        out.print(f"paused after step {pause_after}; continue with the same command and --resume")
        return
    out.print(f"adapter written to {target} in {record['wall_time_s']} s ({record['steps']} steps, {record['tokens_seen']} tokens)")


def _snapshot(cfg, run_dir: Path, folder: Path, base_model: str | None) -> None:
    from slm_guardian.train import adapter_from_checkpoint
    from slm_guardian.train_checkpoint import CHECKPOINT_FILE

    if not (run_dir / CHECKPOINT_FILE).is_file():
        fail(f"no unfinished run to snapshot: no {CHECKPOINT_FILE} in {run_dir}")
    if folder.exists() and any(folder.iterdir()):
        fail(f"{folder} already exists and is not empty; name a new folder for the snapshot")
    try:
        step = adapter_from_checkpoint(cfg, run_dir, folder, base_model)
    except ValueError as exc:
        fail(str(exc))
    out.print(f"the run in {run_dir} at step {step} saved as an adapter in {folder}")


def _training_file(data: Path, cfg) -> Path:
    if (data / "train.jsonl").is_file():
        return data / "train.jsonl"
    if (data / "advbench").is_dir():  # the raw shared data: build it first, same as `guardian data build`
        from slm_guardian.data.build import DataConfig, build, write
        from slm_guardian.taxonomy import Taxonomy

        built = Path("build/data")
        tax = Taxonomy.from_yaml(cfg.taxonomy) if cfg.taxonomy else Taxonomy.default()
        data_cfg = DataConfig(**cfg.data) if cfg.data else DataConfig.from_yaml("configs/data.yaml")
        write(build(data, tax, data_cfg), built)
        return built / "train.jsonl"
    fail(f"--data {data} holds neither train.jsonl nor the raw shared data")
    raise AssertionError  # unreachable


def main() -> None:
    app()


if __name__ == "__main__":
    main()
