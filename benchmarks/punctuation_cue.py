"""Does the verdict depend on the query's final punctuation?

    python benchmarks/punctuation_cue.py --adapter candidate=build/candidate4/smollm2-135m-guardian

For the JailbreakBench behaviours (harmful, and their benign twins) and the dev split, prints
the share each adapter flags with every query as written, with its final . ? ! removed, and
with a full stop added where it had none. A guard that reads intent flags the same share all
three ways; `data/augment.py` says why one did not. One Markdown table; every adapter sees the
same rows.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from slm_guardian.evaluate import load_dataset
from slm_guardian.guardian import Guardian

_FINAL = re.compile(r"[.?!]+$")

VARIANTS = {
    "as written": lambda t: t,
    "final . ? ! removed": lambda t: _FINAL.sub("", t).rstrip() or t,
    "full stop added": lambda t: t if _FINAL.search(t) else t + ".",
}


def flag_rates(guardian: Guardian, texts: list[str]) -> dict[str, float]:
    return {
        name: sum(v.flagged for v in guardian.check_batch([variant(t) for t in texts], respond=False)) / len(texts)
        for name, variant in VARIANTS.items()
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("build/data"))
    parser.add_argument("--adapter", action="append", default=[], metavar="NAME=DIR", help="another adapter to compare (repeatable)")
    parser.add_argument("--backend", default="ctranslate2", help="torch or ctranslate2")
    args = parser.parse_args(argv)

    adapters: dict[str, Path | None] = {"shipped": None}
    for spec in args.adapter:
        name, _, folder = spec.partition("=")
        if not folder or not Path(folder).is_dir():
            parser.error(f"--adapter wants NAME=DIR with an existing folder, got {spec!r}")
        adapters[name] = Path(folder)
    sets: dict[str, list[str]] = {}
    for dataset in ("jbb", "dev"):
        _, rows = load_dataset(dataset, args.data)
        sets[f"{dataset} harmful"] = [r.text for r in rows if r.unsafe]
        sets[f"{dataset} benign"] = [r.text for r in rows if not r.unsafe]

    print("| adapter | rows | n | " + " | ".join(f"flagged, {v}" for v in VARIANTS) + " |")
    print("|---|---|---|" + "---|" * len(VARIANTS))
    for name, folder in adapters.items():
        guardian = Guardian.load(adapter=folder, engine=args.backend)
        for label, texts in sets.items():
            rates = flag_rates(guardian, texts)
            print(f"| {name} | {label} | {len(texts)} | " + " | ".join(f"{rates[v]:.3f}" for v in VARIANTS) + " |", flush=True)


if __name__ == "__main__":
    main()
