"""Merge `guardian eval --out` reports of one adapter, run on different sets (for example two
processes, one per core), into one report that `compare_evals.py` reads.

    python benchmarks/merge_evals.py OUT.json build/eval-a.json build/eval-b.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def merge(reports: list[dict]) -> dict:
    """One report: every set's results and response results, each part's command in a list;
    the threshold must agree, the refusal check is the first part's that has one."""
    thresholds = {r.get("threshold") for r in reports}
    if len(thresholds) > 1:
        raise ValueError(f"the reports were made at different thresholds: {sorted(thresholds)}")
    merged: dict = {"results": {}, "responses": {}, "threshold": thresholds.pop(), "command": []}
    for report in reports:
        overlap = (set(report.get("results", {})) & set(merged["results"])) | (set(report.get("responses", {})) & set(merged["responses"]))
        if overlap:
            raise ValueError(f"sets in more than one report: {', '.join(sorted(overlap))}")
        merged["results"].update(report.get("results", {}))
        merged["responses"].update(report.get("responses", {}))
        merged["command"].append(report.get("command"))
        if "refusal_detector" in report:
            merged.setdefault("refusal_detector", report["refusal_detector"])
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the merged report to write")
    parser.add_argument("reports", type=Path, nargs="+", help="`guardian eval --out` files")
    args = parser.parse_args()
    try:
        merged = merge([json.loads(path.read_text(encoding="utf-8")) for path in args.reports])
    except (OSError, json.JSONDecodeError, ValueError) as exc:
        parser.error(str(exc))
    args.out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(merged['results'])} sets and {len(merged['responses'])} response sets written to {args.out}")


if __name__ == "__main__":
    main()
