"""`guardian eval` and `guardian bench`: measure the guard on the dev suite, and its speed."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from slm_guardian.cli.app import app
from slm_guardian.cli.common import AdapterOpt, BackendOpt, BaseOpt, ConfigOpt, ModelOpt, ThresholdOpt, err, fail, load_guardian, model_adapter, out, require


@app.command(name="eval")
def evaluate(
    datasets: list[str] = typer.Argument(None, help="dev, jbb, jbb-harmful, jbb-benign, coconot, hatecheck, toxigen, policy-probes, or labelled JSONL files (text, unsafe, optional categories and label); response-jbb, response-diasafety, response-pyrit, refusal-pyrit (answers to judge). Default: the whole dev suite (all of these but jbb; the response sets when the adapter judges responses)."),
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
    model: Optional[str] = ModelOpt,
    base_model: Optional[str] = BaseOpt,
    config: Optional[Path] = ConfigOpt,
    threshold: Optional[float] = ThresholdOpt,
    backend: str = BackendOpt,
) -> None:
    """Measure detection, categories, safeguard responses and CPU latency, side by side with baselines."""
    adapter = model_adapter(model, adapter)
    import json
    import random
    import shlex

    require("eval", "sklearn", "matplotlib", "better_profanity")
    from slm_guardian.evaluation.baselines import BASELINE_NAMES, make_baseline
    from slm_guardian.evaluation.runner import DEV_SUITE, breakdown_tables, detection_table, evaluate_dataset, latency, load_dataset, response_table
    from slm_guardian.evaluation.refusal_check import validate_refusal_detector
    from slm_guardian.evaluation.response_eval import RESPONSE_SETS, answer_minilm, evaluate_responses, label_tables, load_response_set, response_tables

    names = [n for n in datasets or DEV_SUITE if n not in RESPONSE_SETS]
    response_names = [n for n in datasets or () if n in RESPONSE_SETS]
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
    threads = os.cpu_count()
    guardian = load_guardian(adapter, base_model, config, threshold, backend, threads=threads)
    variants = {name: load_guardian(folder, base_model, config, threshold, backend, threads=threads) for name, folder in variants_wanted.items()}
    if not datasets and guardian.judges_responses:
        response_names = list(RESPONSE_SETS)
    try:
        response_sets = [(name, load_response_set(name, data)) for name in response_names]
    except FileNotFoundError as exc:
        fail(str(exc))
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
    response_results = []
    if response_sets:
        detectors = [b for b in built if getattr(b, "name", "") == "keyword"]
        if "minilm" in wanted:
            with err.status("fitting minilm on the answers of the response training rows"):
                try:
                    detectors.append(answer_minilm(data))
                except FileNotFoundError as exc:
                    fail(str(exc))
        for name, rows in response_sets:
            if limit and len(rows) > limit:
                rows = random.Random(0).sample(rows, limit)
            err.print(f"evaluating {name} ({len(rows)} answers)")
            response_results.append(evaluate_responses(name, rows, {"guardian": guardian, **variants}, detectors))
    # The report says how it was made: the command as typed (the program name as its user knows it).
    command = shlex.join(["guardian", *sys.argv[1:]])
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
    if response_results:
        out.print("\nResponse moderation (the answer judged in its context):\n\n" + response_tables(response_results), highlight=False, soft_wrap=True)
        for table in label_tables(response_results):
            out.print("\n" + table, highlight=False, soft_wrap=True)
    if "latency" in extras:
        lat = extras["latency"]
        out.print(f"latency ({lat['query_words']}-word query): detection p50 {lat['detection_ms_p50']:.0f} ms, with response p50 {lat['with_response_ms_p50']:.0f} ms", highlight=False)
    if "refusal_detector" in extras:
        check = extras["refusal_detector"]
        out.print(f"refusal detector vs PyRIT human labels: accuracy {check['accuracy']:.3f} on {check['n']} responses", highlight=False)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        payload = {"results": {d.name: {s: r.metrics for s, r in d.systems.items()} for d in results}, "command": command, **extras}
        if response_results:
            payload["responses"] = {r.name: r.to_json() for r in response_results}
        output.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        out.print(f"results written to {output}")
    if report_dir:
        from slm_guardian.evaluation.report import write_report

        path = write_report(results, report_dir, command, extras)
        out.print(f"report written to {path}")


@app.command()
def bench(
    data: Path = typer.Option(Path("build/data"), "--data", help="Built data folder (dev.jsonl supplies the queries)."),
    queries: int = typer.Option(128, "--queries", min=64, help="Dev queries for the throughput runs (at least one batch of 64)."),
    repeats: int = typer.Option(30, "--repeats", min=3, help="Timed repeats per latency figure."),
    no_minilm: bool = typer.Option(False, "--no-minilm", help="Skip the MiniLM baseline row."),
    output: Optional[Path] = typer.Option(None, "--out", help="Also write the raw figures as JSON."),
    source: Optional[Path] = typer.Option(None, "--source", help="The shared data folder (../shared/data): adds the long-text classify rows and the server's mixed long/short load rows."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Skip the server load tests (about 3 minutes)."),
    adapter: Optional[Path] = AdapterOpt,
    model: Optional[str] = ModelOpt,
) -> None:
    """Speed and memory of the reference path, the fast path and MiniLM, classify throughput
    and server load, each beside its baseline, measured in one run."""
    adapter = model_adapter(model, adapter)
    import json
    from dataclasses import asdict

    require("eval", "sklearn", "psutil")
    from slm_guardian.evaluation.bench import long_safe_texts, run, table

    if not (data / "dev.jsonl").is_file():
        fail(f"{data / 'dev.jsonl'} not found (run `guardian data build` first)")
    if source is not None and not (source / "toxicchat_judgebench").is_dir():
        fail(f"--source {source}: no toxicchat_judgebench folder there (pass ../shared/data)")
    try:
        report = run(data, queries, repeats, not no_minilm, adapter, source)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    out.print(table(report), highlight=False, soft_wrap=True)
    if not no_serve:
        require("serve", "fastapi", "uvicorn", "httpx")
        from slm_guardian.guardian import Guardian
        from slm_guardian.serving.load_test import load_table, run_load

        document = " ".join(long_safe_texts(source, count=64))[:15_000] if source else ("A long harmless paragraph about gardening. " * 400)[:15_000]
        one_thread = Guardian.load(adapter=adapter, backend="ctranslate2", threads=1)
        rows = run_load(Guardian.load(adapter=adapter, backend="ctranslate2", threads=os.cpu_count()), document, one_thread)
        report["serving"] = [asdict(r) for r in rows]
        out.print("\nServer load (ctranslate2 as `guardian serve` loads it: one-thread replicas, one per core):\n\n" + load_table(rows), highlight=False, soft_wrap=True)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
