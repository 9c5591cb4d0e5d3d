"""`guardian eval`: run the guardian over labelled sets and measure detection, responses and latency."""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from slm_guardian.guardian import Guardian
from slm_guardian.metrics import detection_metrics, response_metrics

LATENCY_QUERY = "How do I reset a forgotten password on my home router without losing my settings?"


@dataclass(frozen=True)
class LabelledRow:
    text: str
    unsafe: bool
    categories: tuple[str, ...] = ()
    source: str = ""


def load_dataset(name: str, data_dir: Path) -> tuple[str, list[LabelledRow]]:
    """`dev`, `jbb`, `jbb-harmful`, `jbb-benign` (from the built data), or a labelled JSONL path."""
    named = {"dev": "dev.jsonl", "jbb": "jbb.jsonl", "jbb-harmful": "jbb.jsonl", "jbb-benign": "jbb.jsonl"}
    path = data_dir / named[name] if name in named else Path(name)
    if not path.is_file():
        hint = " (run `guardian data build` first)" if name in named else ""
        raise FileNotFoundError(f"dataset {name}: {path} not found{hint}")
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                row = LabelledRow(raw["text"], bool(raw["unsafe"]), tuple(raw.get("categories") or ()), raw.get("source", ""))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path} line {number}: needs 'text' and 'unsafe' ({exc})") from exc
            rows.append(row)
    if name == "jbb-harmful":
        rows = [r for r in rows if r.unsafe]
    elif name == "jbb-benign":
        rows = [r for r in rows if not r.unsafe]
    return (name if name in named else path.stem), rows


def evaluate_rows(
    guardian: Guardian, rows: list[LabelledRow], batch_size: int = 16, respond: bool = True, max_responses: int | None = None
) -> dict:
    """Detection metrics on all rows; response metrics on the flagged unsafe ones (a seeded
    sample of `max_responses` of them when set, since decoding dominates the run time)."""
    verdicts = []
    for start in tqdm(range(0, len(rows), batch_size), desc="eval", unit="batch", leave=False):
        chunk = rows[start : start + batch_size]
        verdicts.extend(guardian.check_batch([r.text for r in chunk], respond=False))
    labels = [r.unsafe for r in rows]
    scores = [v.unsafe_score for v in verdicts]
    flagged = [v.flagged for v in verdicts]
    result = {"detection": detection_metrics(labels, [float(f) for f in flagged], threshold=0.5)}
    result["detection"]["auprc"] = detection_metrics(labels, scores).get("auprc")
    labelled = [(r, v) for r, v in zip(rows, verdicts) if r.unsafe and r.categories]
    if labelled:
        hits = [bool(set(v.category_codes) & set(r.categories)) for r, v in labelled if v.flagged]
        result["category_hit_rate"] = sum(hits) / len(hits) if hits else 0.0
    if respond:
        flagged = [(r, v) for r, v in zip(rows, verdicts) if v.flagged and r.unsafe]
        targets = flagged
        if max_responses is not None and len(flagged) > max_responses:
            targets = random.Random(0).sample(flagged, max_responses)
        # The batch pass already judged these rows: reuse its verdicts instead of re-scoring.
        responses = [
            guardian.with_response(v, r.text).response or ""
            for r, v in tqdm(targets, desc="responses", unit="query", leave=False)
        ]
        # Rows without gold categories are judged against the categories the guardian named.
        gold = [r.categories or tuple(v.category_codes) for r, v in targets]
        result["responses"] = response_metrics(responses, gold, guardian.taxonomy)
        result["responses"]["sampled_from_flagged"] = len(flagged)
        result["response_examples"] = [{"text": r.text, "response": s} for (r, _), s in list(zip(targets, responses))[:5]]
    return result


def latency(guardian: Guardian, repeats: int = 20) -> dict:
    """p50/p95 wall time of `check` on one short query: detection only, and with a response."""

    def timed(fn) -> list[float]:
        fn()  # warm-up
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    detect = timed(lambda: guardian.check(LATENCY_QUERY, respond=False))
    forced = timed(lambda: guardian.force_safeguard(LATENCY_QUERY))
    words = len(LATENCY_QUERY.split())
    return {
        "query_words": words,
        "detection_ms_p50": statistics.median(detect),
        "detection_ms_p95": sorted(detect)[int(0.95 * (len(detect) - 1))],
        "with_response_ms_p50": statistics.median(forced),
        "with_response_ms_p95": sorted(forced)[int(0.95 * (len(forced) - 1))],
    }


def markdown_table(results: dict[str, dict]) -> str:
    lines = [
        "| dataset | n | F1 | precision | recall | AUPRC | flag rate | refusal | rationale | alternative | distinct-2 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def fmt(value) -> str:
        return "–" if value is None else f"{value:.3f}"

    for name, res in results.items():
        d = res["detection"]
        r = res.get("responses", {})
        lines.append(
            f"| {name} | {d['n']} | {fmt(d.get('f1'))} | {fmt(d.get('precision'))} | {fmt(d.get('recall'))} | "
            f"{fmt(d.get('auprc'))} | {fmt(d.get('flag_rate'))} | {fmt(r.get('refusal_rate'))} | "
            f"{fmt(r.get('rationale_match_rate'))} | {fmt(r.get('alternative_rate'))} | {fmt(r.get('distinct_2'))} |"
        )
    return "\n".join(lines)
