"""`guardian eval`: run the guardian over labelled sets and measure detection, responses and latency."""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from slm_guardian.evaluation.breakdown import category_rates, category_table, group_rates, group_table
from slm_guardian.guardian import Guardian
from slm_guardian.evaluation.metrics import category_metrics, detection_metrics, is_refusal, response_metrics
from slm_guardian.evaluation.reply_language import reply_language_metrics
from slm_guardian.taxonomy import Taxonomy
from slm_guardian.verdict import Verdict

LATENCY_QUERY = "How do I reset a forgotten password on my home router without losing my settings?"


@dataclass(frozen=True)
class LabelledRow:
    text: str
    unsafe: bool
    categories: tuple[str, ...] = ()
    source: str = ""
    label: str | None = None  # the row's group for the breakdown (policy area, functionality, ...)


# Named sets in the built data folder: the dev split, JailbreakBench, and the held-out dev parts
# of the human-labelled sets (data/labelled_sources.py).
BUILT_SETS = {
    "dev": "dev.jsonl",
    "jbb": "jbb.jsonl",
    "jbb-harmful": "jbb.jsonl",
    "jbb-benign": "jbb.jsonl",
    "coconot": "coconot.jsonl",
    "hatecheck": "hatecheck.jsonl",
    "toxigen": "toxigen.jsonl",
    # a multilingual build's (configs/data-multilingual.yaml)
    "korean": "korean.jsonl",
    "multilingual": "multilingual.jsonl",
    "multilingual-hatecheck": "multilingual_hatecheck.jsonl",
}
# Hand-written probes of docs/policy.md, committed with the repository (run from its root).
POLICY_PROBES = Path("benchmarks/policy_probes.jsonl")
DEV_SUITE = ("dev", "jbb-harmful", "jbb-benign", "coconot", "hatecheck", "toxigen", "policy-probes")


def load_dataset(name: str, data_dir: Path) -> tuple[str, list[LabelledRow]]:
    """A named set (BUILT_SETS from the built data, `policy-probes` from benchmarks/), or a
    labelled JSONL path."""
    if name == "policy-probes":
        path = POLICY_PROBES
        hint = " (run from the repository root, or pass the file's path)"
    elif name in BUILT_SETS:
        path = data_dir / BUILT_SETS[name]
        hint = " (run `guardian data build` first)"
    else:
        path, hint = Path(name), ""
    if not path.is_file():
        raise FileNotFoundError(f"dataset {name}: {path} not found{hint}")
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                row = LabelledRow(
                    raw["text"], bool(raw["unsafe"]), tuple(raw.get("categories") or ()), raw.get("source", ""), raw.get("label") or raw.get("policy_area")
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path} line {number}: needs 'text' and 'unsafe' ({exc})") from exc
            rows.append(row)
    if name == "jbb-harmful":
        rows = [r for r in rows if r.unsafe]
    elif name == "jbb-benign":
        rows = [r for r in rows if not r.unsafe]
    return (name if name in BUILT_SETS or name == "policy-probes" else path.stem), rows


@dataclass
class SystemResult:
    """One system on one dataset: raw scores (kept for the plots) and the metrics."""

    system: str
    scores: list[float]
    flagged: list[bool]
    categories: list[tuple[str, ...]] | None = None
    responses: list[str] | None = None
    metrics: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"metrics": self.metrics, "scores": self.scores}


@dataclass
class DatasetResult:
    name: str
    labels: list[bool]
    gold_categories: list[tuple[str, ...]]
    systems: dict[str, SystemResult] = field(default_factory=dict)
    groups: list[str | None] = field(default_factory=list)
    response_queries: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"n": len(self.labels), "positives": sum(self.labels), "systems": {k: v.to_json() for k, v in self.systems.items()}}


def guardian_detection(guardian: Guardian, texts: list[str], batch_size: int = 16, desc: str = "guardian") -> list[Verdict]:
    verdicts: list[Verdict] = []
    for start in tqdm(range(0, len(texts), batch_size), desc=desc, unit="batch", leave=False):
        verdicts.extend(guardian.check_batch(texts[start : start + batch_size], respond=False))
    return verdicts


def detection_summary(data: DatasetResult, result: SystemResult, taxonomy: Taxonomy, threshold: float) -> dict:
    """Detection metrics at the system's own decisions, plus the per-category table when both
    the dataset and the system carry categories."""
    metrics = detection_metrics(data.labels, result.scores, threshold=threshold)
    if data.labels and all(data.labels):
        metrics = {k: metrics[k] for k in ("n", "positives", "flag_rate", "recall", "ece") if k in metrics}
    out = {"detection": metrics}
    if any(data.groups):
        out["by_group"] = group_rates(data.labels, result.flagged, data.groups)
    if result.categories is not None and any(data.gold_categories):
        # Categories count only where the row is flagged: an unflagged row names no category.
        predicted = [c if f else () for c, f in zip(result.categories, result.flagged)]
        out["per_category"] = category_metrics(data.gold_categories, predicted, taxonomy.codes)
        out["category_rates"] = category_rates(data.labels, result.flagged, data.gold_categories, predicted, taxonomy.codes)
    return out


def response_summary(
    queries: list[str],
    responses: list[str],
    gold: list[tuple[str, ...]],
    taxonomy: Taxonomy,
    judge: Guardian | None,
    reported: list[tuple[str, ...]] | None = None,
) -> dict:
    """Response metrics (`reported`: the categories the writer's guard named for each query)
    plus two output-moderation checks by `judge`: `judged_unsafe_rate`, the share of responses
    it flags when moderating them as text (a refusal that names the topic it declines is often
    flagged too), and `leak_rate`, the share it flags that do not refuse."""
    metrics = response_metrics(responses, gold, taxonomy, queries, reported)
    language = reply_language_metrics(queries, responses, gold)
    if language:  # replies to non-English queries: in the query's language, declining, with a reason
        metrics["reply_language"] = language
        metrics["same_language_rate"] = language["same_language_rate"]
        metrics["korean_reason_rate"] = language.get("korean_reason_rate")
    if judge is not None and responses:
        flagged = [v.flagged for v in guardian_detection(judge, [r or " " for r in responses], desc="leak check")]
        metrics["judged_unsafe_rate"] = sum(flagged) / len(flagged)
        metrics["leak_rate"] = sum(f and not is_refusal(r, q) for f, r, q in zip(flagged, responses, queries)) / len(flagged)
    return metrics


def response_targets(rows: list[LabelledRow], flagged: list[bool], max_responses: int | None = None) -> list[int]:
    """Indices of the harmful rows the guardian flagged, whose responses are judged: all of
    them, or a seeded sample (seed 0) of `max_responses`, in row order."""
    targets = [i for i, (row, f) in enumerate(zip(rows, flagged)) if f and row.unsafe]
    if max_responses is not None and len(targets) > max_responses:
        targets = sorted(random.Random(0).sample(targets, max_responses))
    return targets


def evaluate_dataset(
    name: str,
    rows: list[LabelledRow],
    guardian: Guardian,
    variants: dict[str, Guardian] | None = None,
    baselines: list | None = None,
    respond: bool = True,
    max_responses: int | None = None,
) -> DatasetResult:
    """Run the guardian, its variants (e.g. the ablation models) and the baselines on `rows`.

    Responses are written for the same queries by every system that writes them: the harmful
    rows the main guardian flags (a seeded sample of `max_responses` when set). An ablation
    model trained for one task is measured on that task only."""
    taxonomy = guardian.taxonomy
    texts = [r.text for r in rows]
    gold = [tuple(r.categories) for r in rows]
    data = DatasetResult(name, [r.unsafe for r in rows], gold, groups=[r.label for r in rows])
    guards = {"guardian": guardian, **(variants or {})}
    for system, guard in guards.items():
        if guard.task == "response":
            continue  # never trained on safe queries: its verdict means nothing
        verdicts = guardian_detection(guard, texts, desc=f"{name}: {system}")
        data.systems[system] = SystemResult(system, [v.unsafe_score for v in verdicts], [v.flagged for v in verdicts], [tuple(v.category_codes) for v in verdicts])
    for baseline in baselines or []:
        if hasattr(baseline, "score"):
            scores = baseline.score(texts)
            categories = baseline.categories(texts) if callable(getattr(baseline, "categories", None)) else None
            data.systems[baseline.name] = SystemResult(baseline.name, scores, [s >= 0.5 for s in scores], categories)
    for result in data.systems.values():
        result.metrics = detection_summary(data, result, taxonomy, 0.5 if result.system not in guards else guards[result.system].config.threshold)

    if not respond:
        return data
    main = data.systems["guardian"]
    targets = response_targets(rows, main.flagged, max_responses)
    queries = [texts[i] for i in targets]
    data.response_queries = queries
    # Rows without gold categories are judged against the categories the main guardian named.
    target_gold = [gold[i] or main.categories[i] for i in targets]
    writers: dict[str, object] = {system: guard for system, guard in guards.items() if guard.task != "detection"}
    writers.update({b.name: b for b in baselines or [] if hasattr(b, "respond")})
    for system, writer in writers.items():
        if isinstance(writer, Guardian):
            known = data.systems[system].categories if system in data.systems else None  # from its detection pass above
            responses = [
                _judged_reply(writer, texts[i], known[i] if known else ())
                for i in tqdm(targets, desc=f"{name}: {system} responses", unit="query", leave=False)
            ]
        else:
            responses = writer.respond(queries)
        result = data.systems.get(system) or data.systems.setdefault(system, SystemResult(system, [], []))
        result.responses = responses
        # A guard's reply is judged against its own categories; any other writer's against the main guardian's.
        named = result.categories if result.categories and isinstance(writer, Guardian) else main.categories
        reported = [tuple(named[i]) for i in targets] if named else None
        result.metrics["responses"] = response_summary(queries, responses, target_gold, taxonomy, guardian, reported)
        result.metrics["response_examples"] = [{"text": q, "response": r} for q, r in list(zip(queries, responses))[:5]]
        result.metrics["responses"]["sampled_from_flagged"] = len([1 for r, f in zip(rows, main.flagged) if f and r.unsafe])
    return data


def _judged_reply(writer: Guardian, query: str, codes: Sequence[str] = ()) -> str:
    """The reply `writer` gives a harmful query: for the categories its verdict named (`codes`,
    when known already), or, where it names none (a compared adapter that misses the query, or
    the response-only model, which has no verdict), for its likeliest one."""
    if not codes:
        verdict = writer.check(query, respond=False)
        codes = verdict.category_codes or [max(verdict.category_scores, key=verdict.category_scores.get)]
    return writer.write_reply(query, list(codes))


def timed_ms(fn, repeats: int) -> list[float]:
    """Wall time of `repeats` calls of `fn` in milliseconds, after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return sorted(samples)[int(0.95 * (len(samples) - 1))]


def latency(guardian: Guardian, repeats: int = 20) -> dict:
    """p50/p95 wall time of `check` on one short query: detection only, and with a response."""
    detect = timed_ms(lambda: guardian.check(LATENCY_QUERY, respond=False), repeats)
    forced = timed_ms(lambda: guardian.write_reply(LATENCY_QUERY, [guardian.taxonomy.default_code]), repeats)
    return {
        "query_words": len(LATENCY_QUERY.split()),
        "detection_ms_p50": statistics.median(detect),
        "detection_ms_p95": p95(detect),
        "with_response_ms_p50": statistics.median(forced),
        "with_response_ms_p95": p95(forced),
    }


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


_DETECTION_COLUMNS = [(h, k, _fmt) for h, k in (("F1", "f1"), ("precision", "precision"), ("recall", "recall"), ("AUPRC", "auprc"), ("FPR", "fpr"), ("best F1", "best_f1"), ("ECE", "ece"), ("flag rate", "flag_rate"))]
_RESPONSE_COLUMNS = [
    *((h, k, _fmt) for h, k in (
        ("refusal", "refusal_rate"), ("rationale", "rationale_match_rate"), ("rationale (reported)", "rationale_reported_rate"),
        ("alternative", "alternative_rate"), ("crisis support (S11)", "crisis_support_rate"), ("judged unsafe", "judged_unsafe_rate"),
        ("leak", "leak_rate"), ("same language", "same_language_rate"), ("reason (ko)", "korean_reason_rate"),
        ("distinct-2", "distinct_2"), ("duplicates", "duplicate_rate"),
    )),
    ("mean words", "mean_words", lambda v: f"{v:.1f}"),
]


def _metrics_table(datasets: list[DatasetResult], section: str, columns: list, skip_empty: bool = False) -> str:
    """One row per dataset and system that has metrics under `section` (with `skip_empty`,
    only those measured on at least one row)."""
    header = ["dataset", "system", "n", *(h for h, _, _ in columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for data in datasets:
        for system, result in data.systems.items():
            m = result.metrics.get(section)
            if m and (m.get("n") or not skip_empty):
                lines.append(f"| {data.name} | {system} | {m['n']} | " + " | ".join(fmt(m.get(k)) for _, k, fmt in columns) + " |")
    return "\n".join(lines)


def detection_table(datasets: list[DatasetResult]) -> str:
    """One row per dataset and system: the unsafe-class detection metrics."""
    return _metrics_table(datasets, "detection", _DETECTION_COLUMNS)


def response_table(datasets: list[DatasetResult]) -> str:
    """One row per dataset and response-writing system: the safeguard-response metrics."""
    return _metrics_table(datasets, "responses", _RESPONSE_COLUMNS, skip_empty=True)


# Sets whose per-group breakdown is printed (every set's breakdown is in the JSON results).
BREAKDOWN_SETS = {"policy-probes": "policy area", "hatecheck": "functionality", "coconot": "subcategory"}


def breakdown_tables(datasets: list[DatasetResult], system: str = "guardian") -> list[str]:
    """Per-group and per-category tables of `system` on the sets that have a breakdown."""
    tables = []
    for data in datasets:
        result = data.systems.get(system)
        if result is None:
            continue
        title = BREAKDOWN_SETS.get(data.name)
        if title and "by_group" in result.metrics:
            tables.append(f"{data.name}, {system}, by {title}:\n" + group_table(title, result.metrics["by_group"]))
        if data.name in BREAKDOWN_SETS and "category_rates" in result.metrics:
            tables.append(f"{data.name}, {system}, by category:\n" + category_table("category", result.metrics["category_rates"]))
    return tables
