"""Set `guardian eval --out` files side by side: the prompt task's F1 / false-positive rate /
AUPRC per dev-suite set (JBB: share flagged), then response moderation (F1, AUPRC, false-
positive rate) and refusal agreement, one column per file.

    python benchmarks/compare_evals.py shipped=docs/eval/experiments/policy-retrain-2epoch.json \\
        warm=docs/eval/experiments/joint-warm.json anchored=docs/eval/experiments/joint-anchored.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

PROMPT_SETS = ("dev", "coconot", "hatecheck", "toxigen", "policy-probes", "jbb-harmful", "jbb-benign")
RESPONSE_SETS = ("response-jbb", "response-diasafety", "response-pyrit")


def _prompt_cell(results: dict, name: str) -> str:
    metrics = results.get(name, {}).get("guardian", {}).get("detection")
    if not metrics:
        return "–"
    if "f1" not in metrics:
        return f"{metrics['flag_rate']:.1%} flagged"
    return f"{metrics['f1']:.3f} / {metrics['fpr']:.1%} / {metrics['auprc']:.3f}"


def _response_cell(responses: dict, name: str) -> str:
    metrics = responses.get(name, {}).get("harm", {}).get("guardian")
    if not metrics or "f1" not in metrics:
        return "–"
    return f"{metrics['f1']:.3f} / {metrics['auprc']:.3f} / {metrics['fpr']:.1%}"


def _refusal_cell(responses: dict, system: str = "guardian") -> str:
    metrics = responses.get("refusal-pyrit", {}).get("refusal", {}).get(system)
    if not metrics:
        return "–"
    return f"{metrics['agreement']:.3f} (P {metrics['precision']:.2f}, R {metrics['recall']:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="NAME=EVAL.json")
    args = parser.parse_args()
    runs = []
    for item in args.runs:
        name, _, path = item.partition("=")
        if not path:
            parser.error(f"{item!r}: expected NAME=EVAL.json")
        runs.append((name, json.loads(Path(path).read_text("utf-8"))))
    header = "| set | " + " | ".join(name for name, _ in runs) + " |\n|---|" + "---|" * len(runs)
    print("Prompt task: F1 / false-positive rate / AUPRC (JBB: share flagged)\n\n" + header)
    for name in PROMPT_SETS:
        print(f"| {name} | " + " | ".join(_prompt_cell(run.get("results", {}), name) for _, run in runs) + " |")
    print("\nResponse moderation: F1 / AUPRC / false-positive rate\n\n" + header)
    for name in RESPONSE_SETS:
        print(f"| {name} | " + " | ".join(_response_cell(run.get("responses", {}), name) for _, run in runs) + " |")
    print("| refusal-pyrit agreement | " + " | ".join(_refusal_cell(run.get("responses", {})) for _, run in runs) + " |")


if __name__ == "__main__":
    main()
