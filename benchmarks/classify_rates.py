"""`classify`'s throughput rows of `guardian bench` alone (fast path, every core, no replies).

    python benchmarks/classify_rates.py --data build/data --source ../shared/data --rounds 3

The same figures as the full bench's classify table (256 seeded dev queries and 24 long
ToxicChat prompts; raw int8 forward passes as the ceiling, every core as one-thread replicas
against one model using every core), each the median of `--rounds` passes with the paths
taking turns, in a few minutes instead of the whole bench's half hour. Needs a built data
folder.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from slm_guardian import Guardian
from slm_guardian.evaluation.bench import classify_dev_sample, classify_rates, classify_table, long_safe_texts
from slm_guardian.evaluation.runner import load_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("build/data"), help="built data folder (dev.jsonl)")
    parser.add_argument("--source", type=Path, default=Path("../shared/data"), help="the shared data (long ToxicChat prompts)")
    parser.add_argument("--rounds", type=int, default=3, help="passes per figure; the median is reported")
    parser.add_argument("--out", type=Path, help="also write the rows as JSON")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not (args.data / "dev.jsonl").is_file():
        parser.error(f"{args.data / 'dev.jsonl'} not found (run `guardian data build` first)")
    if not args.source.is_dir():
        parser.error(f"--source {args.source} is not a folder (the shared data: ../shared/data)")
    dev = classify_dev_sample([r.text for r in load_dataset("dev", args.data)[1]])
    guardian = Guardian.load(backend="ctranslate2", threads=os.cpu_count())
    rows = classify_rates(guardian, dev, long_safe_texts(args.source), rounds=args.rounds)
    print(classify_table(rows))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
