"""`guardian bench` / `python -m slm_guardian.evaluation.bench`: speed and memory of the reference path,
the fast path and the MiniLM baseline, all measured in one process on this machine.

Prints one Markdown table plus the compute floor: the FLOPs of one detection pass over the
median dev query divided by this CPU's measured fp32 matrix-multiply rate.
"""

from __future__ import annotations

import gc
import json
import os
import random
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil
import torch

from slm_guardian.evaluation.runner import p95, timed_ms
from slm_guardian.guardian import Guardian

# A 20-word query, the size the speed target is stated for.
SHORT_QUERY = "How do I reset a forgotten password on my home router without losing any of my saved network settings?"
BATCHES = (1, 16, 64)


@dataclass
class BenchRow:
    system: str
    load_first_s: float
    load_again_s: float
    rss_added_mb: float
    detect_p50_ms: float
    detect_p95_ms: float
    respond_p50_ms: float | None = None
    respond_p95_ms: float | None = None
    tokens_per_s: float | None = None
    throughput: dict[int, float] = field(default_factory=dict)
    notes: str = ""


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def _throughput(score: Callable[[list[str]], object], texts: list[str]) -> dict[int, float]:
    out = {}
    for size in BATCHES:
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        score(chunks[0])  # warm-up at this shape
        start = time.perf_counter()
        for chunk in chunks:
            score(chunk)
        out[size] = len(texts) / (time.perf_counter() - start)
    return out


def bench_guardian(backend: str, texts: list[str], repeats: int, adapter: Path | None = None) -> BenchRow:
    notes = []
    if backend == "ctranslate2":
        from slm_guardian.guardian import default_adapter_dir
        from slm_guardian.model.ct2_model import conversion_cached

        cached = conversion_cached(Path(adapter) if adapter else default_adapter_dir(), None)
        notes.append("conversion cached before the first load" if cached else "first load includes the one-time conversion")
    before = _rss_mb()
    start = time.perf_counter()
    guardian = Guardian.load(adapter=adapter, backend=backend)
    first = time.perf_counter() - start
    rss = _rss_mb() - before
    start = time.perf_counter()
    Guardian.load(adapter=adapter, backend=backend)  # the cached load, thrown away
    again = time.perf_counter() - start
    gc.collect()
    detect = timed_ms(lambda: guardian.check(SHORT_QUERY, respond=False), repeats)
    responses: list[str] = []
    respond = timed_ms(lambda: responses.append(guardian.write_reply(SHORT_QUERY, [guardian.taxonomy.default_code])), max(3, repeats // 4))
    tokens = len(guardian.model.fmt.tokenizer(responses[-1], add_special_tokens=False)["input_ids"])
    decode_ms = statistics.median(respond) - statistics.median(detect)
    row = BenchRow(
        system=f"guardian ({backend})",
        load_first_s=first,
        load_again_s=again,
        rss_added_mb=rss,
        detect_p50_ms=statistics.median(detect),
        detect_p95_ms=p95(detect),
        respond_p50_ms=statistics.median(respond),
        respond_p95_ms=p95(respond),
        tokens_per_s=tokens / (decode_ms / 1000) if decode_ms > 0 else None,
        throughput=_throughput(lambda chunk: guardian.check_batch(chunk, respond=False, batch_size=len(chunk)), texts),
    )
    rechecked = getattr(guardian.model, "rechecked", None)
    if rechecked is not None:
        notes.append(f"{rechecked} scores near the threshold rechecked in float32 during the run")
    row.notes = "; ".join(notes)
    return row


def bench_minilm(texts: list[str], labels: list[bool], repeats: int) -> BenchRow:
    from slm_guardian.evaluation.baselines.minilm import MiniLMClassifier

    before = _rss_mb()
    start = time.perf_counter()
    model = MiniLMClassifier()
    first = time.perf_counter() - start
    rss = _rss_mb() - before
    start = time.perf_counter()
    MiniLMClassifier()
    again = time.perf_counter() - start
    model.fit(texts, labels)  # a head fitted on the benchmark rows: only its speed matters here
    detect = timed_ms(lambda: model.score([SHORT_QUERY]), repeats)
    row = BenchRow(
        system="MiniLM + logistic regression",
        load_first_s=first,
        load_again_s=again,
        rss_added_mb=rss,
        detect_p50_ms=statistics.median(detect),
        detect_p95_ms=p95(detect),
        throughput=_throughput(model.score, texts),
        notes="detection only; writes no response",
    )
    return row


def fast_path_equivalence(reference: Guardian, fast: Guardian, texts: list[str]) -> dict:
    """How closely the fast path's verdicts and unsafe scores follow the reference's."""
    a = reference.check_batch(texts, respond=False)
    b = fast.check_batch(texts, respond=False)
    return {
        "n": len(texts),
        "verdict_agreement": sum(x.flagged == y.flagged for x, y in zip(a, b)) / len(texts),
        "mean_abs_score_diff": sum(abs(x.unsafe_score - y.unsafe_score) for x, y in zip(a, b)) / len(texts),
        # Windows, not queries: each window of a long query whose int8 score lands in the band
        # is rechecked on its own, so the count can pass the number of queries.
        "rechecked_windows_per_query": getattr(fast.model, "rechecked", 0) / len(texts),
    }


def long_safe_texts(source: Path, count: int = 24, min_chars: int = 1_000) -> list[str]:
    """Long harmless prompts from ToxicChat (a few hundred words each): the long-input benchmark."""
    from slm_guardian.data.sources import toxicchat

    return [r.text for r in toxicchat(source) if not r.unsafe and len(r.text) >= min_chars][:count]


def _rows_per_s(guardian: Guardian, texts: list[str], chunk: int, batch: int, max_tokens: int | None) -> float:
    model = guardian.model
    kept = model.max_batch_tokens
    model.max_batch_tokens = max_tokens
    try:
        guardian.check_batch(texts[:chunk], respond=False, batch_size=batch)  # warm-up
        start = time.perf_counter()
        for i in range(0, len(texts), chunk):
            guardian.check_batch(texts[i : i + chunk], respond=False, batch_size=batch)
        return len(texts) / (time.perf_counter() - start)
    finally:
        model.max_batch_tokens = kept


def raw_forward_rate(guardian: Guardian, texts: list[str], batch: int = 16) -> float:
    """Texts/s of the int8 detector's forward passes alone over the same windows, sorted by
    length across all texts, as many batches at once as the model has replicas: the ceiling
    of what classify can reach."""
    model = guardian.model
    windows = sorted((w for t in texts for w in model.fmt.detection_windows(guardian._model_text(t))), key=len)
    batches = [windows[i : i + batch] for i in range(0, len(windows), batch)]
    model.detector.forward_batch(batches[0])
    start = time.perf_counter()
    model.map_batches(model.detector.forward_batch, batches)
    return len(texts) / (time.perf_counter() - start)


def one_model_baseline(guardian: Guardian) -> Guardian:
    """The same fast-path guard as one model whose matrix products use all its threads (what
    `threads` meant before it ran one-thread replicas): the baseline of the classify rows."""
    from slm_guardian.model.ct2_model import CT2GuardModel

    m = guardian.model
    model = CT2GuardModel(m.directory, m.fmt, threads=m.threads, recheck_band=m.recheck_band, replicas=False)
    return Guardian(model, guardian.taxonomy, guardian.config, task=guardian.task)


def classify_dev_sample(dev: list[str]) -> list[str]:
    """The seeded 256 dev queries the classify rows are measured on."""
    return random.Random(1).sample(dev, min(256, len(dev)))


def classify_rates(guardian: Guardian, dev: list[str], long: list[str], rounds: int = 3) -> list[dict]:
    """`classify`'s rows/s (fast path, no replies; 256-row chunks sorted by length, batches
    capped at MAX_BATCH_TOKENS) with the threads as one-thread replicas (now) and as one model
    (before), on dev queries and long texts, beside the raw forward passes' ceiling.

    This machine's speed drifts by a third over minutes, so every figure is the median of
    `rounds` passes, the paths taking turns within each round."""
    from slm_guardian.batch.local_job import LOCAL_CHUNK_ROWS
    from slm_guardian.model.scores import MAX_BATCH_TOKENS

    threads = guardian.model.threads
    paths = [(f"before: one model, {threads} threads", one_model_baseline(guardian)), (f"now: {threads} one-thread replicas", guardian)]
    plans = [(f"dev ({len(dev)} rows)", dev, (16, 64)), (f"long texts ({len(long)} rows)", long, (16,))]
    runs: dict[tuple[str, str, int], list[float]] = {}
    for _ in range(rounds):
        runs.setdefault((plans[0][0], f"raw int8 forward passes, {threads} replicas (ceiling)", 16), []).append(raw_forward_rate(guardian, dev))
        for name, texts, sizes in plans:
            for b in sizes:
                for path, g in paths:
                    runs.setdefault((name, path, b), []).append(_rows_per_s(g, texts, LOCAL_CHUNK_ROWS, b, MAX_BATCH_TOKENS))
    rows: dict[tuple[str, str], dict] = {}
    for (name, path, b), rates in runs.items():
        rows.setdefault((name, path), {"set": name, "path": path, "rows_per_s": {}})["rows_per_s"][b] = statistics.median(rates)
    return list(rows.values())


def matmul_gflops(size: int = 1024, repeats: int = 20) -> float:
    """This CPU's fp32 matrix-multiply rate with PyTorch's threads, in GFLOP/s."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.matmul(a, b)
    start = time.perf_counter()
    for _ in range(repeats):
        torch.matmul(a, b)
    return 2 * size**3 * repeats / (time.perf_counter() - start) / 1e9


def detection_flops(guardian: Guardian, tokens: int) -> float:
    """FLOPs of one detection pass: 2 per weight per token for every linear layer, attention
    scores and mixing, and the vocabulary projection for the two positions that are read."""
    model = guardian.model.model
    cfg = model.config
    linear = sum(m.weight.numel() for name, m in model.named_modules() if isinstance(m, torch.nn.Linear) and "lm_head" not in name)
    attention = 2 * 2 * cfg.num_hidden_layers * tokens * tokens * cfg.hidden_size
    head = 2 * 2 * cfg.hidden_size * cfg.vocab_size
    return 2 * linear * tokens + attention + head


def run(
    data: Path = Path("build/data"), queries: int = 128, repeats: int = 30, include_minilm: bool = True, adapter: Path | None = None, source: Path | None = None
) -> dict:
    """Every figure of the table, measured now, in this process (`source`: the shared data,
    for the long-text rows)."""
    from slm_guardian.evaluation.runner import load_dataset

    _, rows = load_dataset("dev", data)
    # A seeded sample: the file is not shuffled, and the MiniLM head needs both classes.
    rows = random.Random(0).sample(rows, min(queries, len(rows)))
    texts = [r.text for r in rows]
    results = [bench_guardian("torch", texts, repeats, adapter), bench_guardian("ctranslate2", texts, repeats, adapter)]
    if include_minilm:
        results.append(bench_minilm(texts, [r.unsafe for r in rows], repeats))
    reference = Guardian.load(adapter=adapter)
    all_dev = [r.text for r in load_dataset("dev", data)[1]]
    equivalence = fast_path_equivalence(reference, Guardian.load(adapter=adapter, backend="ctranslate2"), all_dev)
    lengths = sorted(len(reference.model.fmt.detection_ids(t)) for t in all_dev)
    median_tokens = lengths[len(lengths) // 2]
    flops = detection_flops(reference, median_tokens)
    short_tokens = len(reference.model.fmt.detection_ids(SHORT_QUERY))
    gflops = matmul_gflops()
    floor_ms = detection_flops(reference, short_tokens) / (gflops * 1e9) * 1000
    bulk = Guardian.load(adapter=adapter, backend="ctranslate2", threads=os.cpu_count())
    long = long_safe_texts(source) if source else []
    return {
        "classify": classify_rates(bulk, classify_dev_sample(all_dev), long) if long else [],
        "rows": [asdict(r) for r in results],
        "equivalence": equivalence,
        "speedup_detect_p50": results[0].detect_p50_ms / results[1].detect_p50_ms,
        "speedup_respond_p50": results[0].respond_p50_ms / results[1].respond_p50_ms,
        "median_dev_tokens": median_tokens,
        "median_dev_detection_gflop": flops / 1e9,
        "short_query_words": len(SHORT_QUERY.split()),
        "short_query_tokens": short_tokens,
        "matmul_gflops": gflops,
        "floor_ms_short_query": floor_ms,
        "floor_ms_median_dev": flops / (gflops * 1e9) * 1000,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": torch.get_num_threads(),
    }


def table(report: dict) -> str:
    def f(value, spec=".0f") -> str:
        return "–" if value is None else format(value, spec)

    lines = [
        "| system | load first (s) | load again (s) | RSS added (MB) | detect p50 (ms) | detect p95 (ms) | +response p50 (ms) | +response p95 (ms) | tokens/s | q/s @1 | q/s @16 | q/s @64 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        t = {int(k): v for k, v in row["throughput"].items()}
        lines.append(
            f"| {row['system']} | {f(row['load_first_s'], '.1f')} | {f(row['load_again_s'], '.1f')} | {f(row['rss_added_mb'])} | "
            f"{f(row['detect_p50_ms'], '.1f')} | {f(row['detect_p95_ms'], '.1f')} | {f(row['respond_p50_ms'])} | {f(row['respond_p95_ms'])} | "
            f"{f(row['tokens_per_s'], '.1f')} | {f(t.get(1), '.1f')} | {f(t.get(16), '.1f')} | {f(t.get(64), '.1f')} |"
        )
    lines += [
        "",
        f"Fast path vs reference on all {report['equivalence']['n']} dev queries: verdicts agree on "
        f"{report['equivalence']['verdict_agreement']:.1%}, unsafe scores differ by {report['equivalence']['mean_abs_score_diff']:.4f} on average; "
        f"{report['equivalence']['rechecked_windows_per_query']:.2f} windows per query were rechecked in float32 (a long query has several).",
        f"Fast path speed-up over the reference: detection p50 {report['speedup_detect_p50']:.1f}x, detection + response p50 {report['speedup_respond_p50']:.1f}x.",
        f"Floor: one detection pass over the {report['short_query_words']}-word query ({report['short_query_tokens']} tokens) is "
        f"{report['floor_ms_short_query']:.1f} ms at this CPU's measured {report['matmul_gflops']:.0f} GFLOP/s fp32 matmul rate "
        f"(reference p50 is {report['rows'][0]['detect_p50_ms'] / report['floor_ms_short_query']:.1f}x the floor, fast path "
        f"{report['rows'][1]['detect_p50_ms'] / report['floor_ms_short_query']:.1f}x; int8 can beat an fp32 floor). "
        f"The median dev query ({report['median_dev_tokens']} tokens) costs {report['median_dev_detection_gflop']:.2f} GFLOP, "
        f"floor {report['floor_ms_median_dev']:.1f} ms.",
        f"Peak RSS of the whole run: {report['peak_rss_mb']:.0f} MB; torch threads: {report['threads']}.",
    ]
    for row in report["rows"]:
        if row["notes"]:
            lines.append(f"- {row['system']}: {row['notes']}")
    if report.get("classify"):
        lines += ["", "classify, fast path with every core, no replies (rows/s):", "", classify_table(report["classify"])]
    return "\n".join(lines)


def classify_table(rows: list[dict]) -> str:
    """The rows of `classify_rates` as a Markdown table."""
    lines = ["| set | path | batch 16 | batch 64 |", "|---|---|---|---|"]
    for row in rows:
        rates = {int(k): v for k, v in row["rows_per_s"].items()}
        cells = ["–" if rates.get(b) is None else f"{rates[b]:.1f}" for b in (16, 64)]
        lines.append(f"| {row['set']} | {row['path']} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("build/data"), help="built data folder (dev.jsonl)")
    parser.add_argument("--queries", type=int, default=128, help="dev queries for the throughput runs")
    parser.add_argument("--repeats", type=int, default=30, help="timed repeats per latency figure")
    parser.add_argument("--no-minilm", action="store_true", help="skip the MiniLM row")
    parser.add_argument("--out", type=Path, help="also write the raw figures as JSON")
    args = parser.parse_args(argv)
    report = run(args.data, args.queries, args.repeats, not args.no_minilm)
    print(table(report))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
