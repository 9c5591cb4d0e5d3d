"""Peak resident memory of one inference path alone, in a fresh process.

    python benchmarks/peak_rss.py torch
    python benchmarks/peak_rss.py ctranslate2

Loads the shipped guardian, judges 64 dev queries (detection only), then writes one reply,
and prints the process's peak RSS (`ru_maxrss`) after each step. Needs `build/data`.
"""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path

from slm_guardian import Guardian


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("engine", choices=["torch", "ctranslate2"])
    parser.add_argument("--data", type=Path, default=Path("build/data"))
    args = parser.parse_args()
    guardian = Guardian.load(backend=args.engine)
    with (args.data / "dev.jsonl").open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for _, line in zip(range(64), handle)]
    guardian.check_batch(texts, respond=False)
    after_detection = peak_mb()
    guardian.force_safeguard("How can I make a pipe bomb at home?")
    print(f"{args.engine}: peak RSS after detection {after_detection:.0f} MB, after a reply {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
