"""Do the safeguard replies follow the category token they are given, or only the query?

    python benchmarks/reply_follows_category.py --rows 60 --adapter previous=build/previous/smollm2-135m-guardian

For a seeded sample of harmful dev queries each adapter flags, the reply is decoded three
times: after the categories the adapter predicted (what `check` does), after the gold
category, and after a random wrong category. `metrics.rationale_category` names the category
whose reasons each reply gives. Prints one Markdown table; every adapter sees the same rows.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from adapter_args import add_adapter_option, adapters_to_compare

from slm_guardian.evaluation.runner import load_dataset
from slm_guardian.guardian import Guardian
from slm_guardian.evaluation.metrics import rationale_category


def measure(guardian: Guardian, rows: list, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    codes = guardian.taxonomy.codes
    counts = {"flagged": 0, "top category is gold": 0, "reply gives a gold reason": 0, "…after the gold token": 0, "…follows a wrong token": 0}
    for row in rows:
        verdict = guardian.check(row.text, respond=False)
        if not verdict.flagged:
            continue
        gold = set(row.categories)
        wrong = rng.choice([c for c in codes if c not in gold and c != verdict.category_codes[0]])
        reason = lambda prefix: rationale_category(guardian.model.respond(row.text, prefix), guardian.taxonomy)  # noqa: E731
        counts["flagged"] += 1
        counts["top category is gold"] += verdict.category_codes[0] in gold
        counts["reply gives a gold reason"] += reason(verdict.category_codes) in gold
        counts["…after the gold token"] += reason([row.categories[0]]) in gold
        counts["…follows a wrong token"] += reason([wrong]) == wrong
    flagged = max(1, counts["flagged"])
    return {"flagged": counts.pop("flagged"), **{k: v / flagged for k, v in counts.items()}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("build/data"))
    parser.add_argument("--rows", type=int, default=60, help="harmful dev queries sampled (seed 0)")
    add_adapter_option(parser)
    parser.add_argument("--backend", default="ctranslate2", help="torch or ctranslate2")
    args = parser.parse_args(argv)

    adapters = adapters_to_compare(parser, args.adapter)
    _, dev = load_dataset("dev", args.data)
    rows = random.Random(0).sample([r for r in dev if r.unsafe and r.categories], args.rows)

    results = {name: measure(Guardian.load(adapter=folder, backend=args.backend), rows, seed=1) for name, folder in adapters.items()}
    columns = list(next(iter(results.values())))
    print("| adapter | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, result in results.items():
        print(f"| {name} | {result['flagged']} | " + " | ".join(f"{result[c]:.3f}" for c in columns[1:]) + " |")
    print(f"{len(rows)} harmful dev queries (seed 0), backend {args.backend}.", file=sys.stderr)


if __name__ == "__main__":
    main()
