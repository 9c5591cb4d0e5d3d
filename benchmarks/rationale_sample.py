"""The safeguard replies `guardian eval dev --max-responses 40` judges, one table row each, for reading by hand.

    python benchmarks/rationale_sample.py [--adapter DIR] [--rows 40] > sample.md

The rows are the ones the eval samples (`evaluate.response_targets`): a seeded sample of the
harmful dev rows the adapter flags. Each row shows the gold categories, the categories the guard reported, the
category `metrics.rationale_category` reads in the reply, and the sentence that gives the
reason, so a reader can check the lexical rationale metric against their own judgement.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tqdm import tqdm

from slm_guardian.evaluation.runner import load_dataset, response_targets
from slm_guardian.guardian import Guardian
from slm_guardian.evaluation.metrics import rationale_category


def reason_sentence(reply: str) -> str:
    """The sentence of `reply` that states why it declines (the first with "because" or "reason")."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", reply) if s.strip()]
    for sentence in sentences:
        if "because" in sentence or "reason" in sentence or sentence.startswith("It "):
            return sentence
    return sentences[1] if len(sentences) > 1 else reply


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("build/data"))
    parser.add_argument("--rows", type=int, default=40, help="replies sampled, as `guardian eval --max-responses`")
    parser.add_argument("--adapter", type=Path, default=None, help="adapter folder (default: the shipped one)")
    parser.add_argument("--backend", default="ctranslate2", help="torch or ctranslate2")
    args = parser.parse_args(argv)
    if args.adapter is not None and not args.adapter.is_dir():
        parser.error(f"--adapter {args.adapter} is not a folder")

    guardian = Guardian.load(adapter=args.adapter, backend=args.backend)
    _, dev = load_dataset("dev", args.data)
    verdicts = guardian.check_batch([r.text for r in dev], respond=False)
    sample = response_targets(dev, [v.flagged for v in verdicts], args.rows)

    print("| # | query (first 60 characters) | gold | reported | reason read as | reason given |")
    print("|---|---|---|---|---|---|")
    hits = 0
    for n, i in enumerate(tqdm(sample, desc="replies", unit="reply", file=sys.stderr)):
        row, verdict = dev[i], verdicts[i]
        reply = guardian.force_safeguard(row.text).response or ""
        gold = row.categories or verdict.category_codes
        read_as = rationale_category(reply, guardian.taxonomy)
        hits += read_as in gold
        query = row.text[:60].replace("|", "/").replace("\n", " ")
        mark = " ✓" if read_as in gold else ""
        print(f"| {n} | {query}… | {' '.join(gold)} | {' '.join(verdict.category_codes)} | {read_as}{mark} | {reason_sentence(reply).replace('|', '/')} |")
    print(f"{len(sample)} replies; the reason read matches a gold category in {hits} (✓).", file=sys.stderr)


if __name__ == "__main__":
    main()
