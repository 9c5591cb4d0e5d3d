"""`guardian eval --report DIR`: report.md with the tables, PNG plots and what each check means."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from slm_guardian.evaluation.runner import DatasetResult, detection_table, response_table
from slm_guardian.evaluation.metrics import reliability_bins

CHECKS = """\
## What each number means
- **F1 / precision / recall** of the unsafe class at the system's decision threshold (0.5 for
  the guardian unless configured, 0.5 for scored baselines; lexicon filters score 0 or 1).
- **AUPRC**: area under the precision-recall curve (threshold-free ranking quality).
- **FPR**: share of safe rows flagged (over-refusal). On an all-safe set the flag rate is the FPR.
- **best F1**: the highest F1 over all thresholds (ShieldGemma's "optimal F1"); it is chosen
  on the same rows, so it is an optimistic ceiling, not a deployable number.
- **ECE**: expected calibration error over 10 equal-width score bins (0 = the score is the
  observed unsafe rate).
- **refusal**: the response declines, by the project's refusal detector (`metrics.is_refusal`:
  first-person refusal phrases, a lecture in place of the answer, or an off-topic reply);
  its accuracy against PyRIT's human labels is given below.
- **rationale**: the category whose reasons the response's wording is closest to (word
  overlap with the taxonomy's reasons; none if no word overlaps) is one of the query's gold categories (or, where the
  row has none, the categories the guardian named). **rationale (reported)**: the same, against
  the categories the guard itself named for the query (the main guardian's, for baselines):
  whether the reply follows the verdict, right or wrong.
- **alternative**: the response offers safe help ("I can explain...", "talking to a doctor...").
- **judged unsafe**: the guardian, moderating the response text itself, flags it. A refusal
  that names the topic it declines ("I can't help with making a pipe bomb") is often flagged
  too, so this over-counts. **leak**: flagged by the guardian *and* not a refusal - a reply that
  complies with the harmful request.
- **same language**: of the replies to non-English queries, the share written in the query's
  language (`evaluation/reply_language.py`: the script of most letters; for Latin text the
  commonest function words). **reason (ko)**: of the replies to Korean queries, the share
  naming the reason of one of the gold categories (a Korean word list per category).
- **distinct-2**: unique word bigrams over all bigrams of the responses (variety);
  **duplicates**: share of responses identical to another one.
"""


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _scored(data: DatasetResult):
    return [(name, r) for name, r in data.systems.items() if r.scores]


def _continuous(data: DatasetResult):
    """Systems with graded scores: a 0/1 lexicon filter has one operating point, not a curve."""
    return [(name, r) for name, r in _scored(data) if len(set(r.scores)) > 2]


def _save(fig, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _plt().close(fig)


def plot_pr_curves(datasets: list[DatasetResult], path: Path) -> None:
    from sklearn.metrics import precision_recall_curve

    plt = _plt()
    mixed = [d for d in datasets if any(d.labels) and not all(d.labels)]
    fig, axes = plt.subplots(1, max(1, len(mixed)), figsize=(5.5 * max(1, len(mixed)), 4.5), squeeze=False)
    for ax, data in zip(axes[0], mixed):
        for name, result in _scored(data):
            precision, recall, _ = precision_recall_curve(data.labels, result.scores)
            auprc = result.metrics["detection"].get("auprc")
            ax.step(recall, precision, where="post", label=f"{name} (AUPRC {auprc:.2f})")
        ax.set(title=f"{data.name}: precision-recall (unsafe class)", xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
        ax.legend(fontsize=7, loc="lower left")
    _save(fig, path)


def plot_f1_threshold(datasets: list[DatasetResult], path: Path) -> None:
    from sklearn.metrics import f1_score

    plt = _plt()
    mixed = [d for d in datasets if any(d.labels) and not all(d.labels)]
    thresholds = np.linspace(0.01, 0.99, 99)
    fig, axes = plt.subplots(1, max(1, len(mixed)), figsize=(5.5 * max(1, len(mixed)), 4.5), squeeze=False)
    for ax, data in zip(axes[0], mixed):
        for name, result in _continuous(data):
            scores = np.asarray(result.scores)
            ax.plot(thresholds, [f1_score(data.labels, scores >= t, zero_division=0) for t in thresholds], label=name)
        ax.axvline(0.5, color="grey", lw=0.8, ls=":")
        ax.set(title=f"{data.name}: F1 vs threshold", xlabel="threshold", ylabel="unsafe-class F1", ylim=(0, 1))
        ax.legend(fontsize=7)
    _save(fig, path)


def plot_calibration(datasets: list[DatasetResult], path: Path) -> None:
    plt = _plt()
    fig, axes = plt.subplots(1, max(1, len(datasets)), figsize=(5 * max(1, len(datasets)), 4.5), squeeze=False)
    for ax, data in zip(axes[0], datasets):
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":", label="perfect")
        for name, result in _continuous(data):
            bins = reliability_bins(data.labels, result.scores)
            ece = result.metrics["detection"].get("ece", 0.0)
            ax.plot([b["mean_score"] for b in bins], [b["unsafe_rate"] for b in bins], marker="o", ms=3, label=f"{name} (ECE {ece:.3f})")
        ax.set(title=f"{data.name}: reliability", xlabel="mean predicted unsafe score", ylabel="observed unsafe rate", xlim=(0, 1), ylim=(0, 1.02))
        ax.legend(fontsize=7)
    _save(fig, path)


def plot_category_f1(datasets: list[DatasetResult], path: Path) -> bool:
    """Grouped bars of per-category F1; False when no dataset has labelled categories."""
    plt = _plt()
    tables = [(d, {n: r.metrics["per_category"] for n, r in d.systems.items() if r.metrics.get("per_category")}) for d in datasets]
    tables = [(d, t) for d, t in tables if t]
    if not tables:
        return False
    fig, axes = plt.subplots(len(tables), 1, figsize=(11, 3.6 * len(tables)), squeeze=False)
    for ax, (data, table) in zip(axes[:, 0], tables):
        codes = sorted({c for per in table.values() for c in per}, key=lambda c: (len(c), c))
        width = 0.8 / len(table)
        for i, (name, per) in enumerate(table.items()):
            ax.bar(np.arange(len(codes)) + i * width, [per.get(c, {}).get("f1", 0.0) for c in codes], width, label=name)
        support = {c: max(per.get(c, {}).get("support", 0) for per in table.values()) for c in codes}
        ax.set_xticks(np.arange(len(codes)) + 0.4 - width / 2, [f"{c}\n(n={support[c]})" for c in codes], fontsize=7)
        ax.set(title=f"{data.name}: per-category F1 (flagged rows only)", ylabel="F1", ylim=(0, 1))
        ax.legend(fontsize=7, ncol=4)
    _save(fig, path)
    return True


def category_table(data: DatasetResult, system: str = "guardian") -> str:
    per = data.systems[system].metrics.get("per_category") if system in data.systems else None
    if not per:
        return ""
    lines = ["| category | support | precision | recall | F1 |", "|---|---|---|---|---|"]
    for code, m in sorted(per.items(), key=lambda kv: (len(kv[0]), kv[0])):
        lines.append(f"| {code} | {m['support']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} |")
    return "\n".join(lines)


def write_report(datasets: list[DatasetResult], directory: Path, command: str, extras: dict) -> Path:
    """Write report.md, the four PNG plots and results.json into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    plot_pr_curves(datasets, directory / "pr_curves.png")
    plot_f1_threshold(datasets, directory / "f1_threshold.png")
    plot_calibration(datasets, directory / "calibration.png")
    has_categories = plot_category_f1(datasets, directory / "category_f1.png")
    parts = ["# slm-guardian evaluation report", "", f"Produced by `{command}`.", ""]
    for key, value in extras.items():
        parts.append(f"- {key}: {value}")
    parts += ["", "## Detection", "", detection_table(datasets), "", "![precision-recall](pr_curves.png)", "", "![F1 vs threshold](f1_threshold.png)", "", "![calibration](calibration.png)", ""]
    if has_categories:
        parts += ["## Categories (guardian)", ""]
        for data in datasets:
            table = category_table(data)
            if table:
                parts += [f"### {data.name}", "", table, ""]
        parts += ["![per-category F1](category_f1.png)", ""]
    responses = response_table(datasets)
    if responses.count("\n") > 1:
        parts += ["## Safeguard responses", "", "Written for the same queries by every system: the harmful rows the guardian flagged.", "", responses, ""]
        for data in datasets:
            examples = data.systems["guardian"].metrics.get("response_examples") if "guardian" in data.systems else None
            if examples:
                parts += [f"Examples ({data.name}, guardian):", ""]
                parts += [f"- *{e['text'][:160]}* → {e['response']}" for e in examples[:3]]
                parts.append("")
    parts.append(CHECKS)
    (directory / "report.md").write_text("\n".join(parts), encoding="utf-8")
    (directory / "results.json").write_text(json.dumps({"datasets": {d.name: d.to_json() for d in datasets}, **extras}, indent=1) + "\n", encoding="utf-8")
    return directory / "report.md"
