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
from pathlib import Path

from adapter_args import add_adapter_option, adapters_to_compare

from slm_guardian.data.augment import add_full_stop, drop_final_punctuation
from slm_guardian.evaluation.runner import load_dataset
from slm_guardian.guardian import Guardian

VARIANTS = {
    "as written": lambda t: t,
    "final . ? ! removed": drop_final_punctuation,
    "full stop added": add_full_stop,
}


def flag_rates(guardian: Guardian, texts: list[str]) -> dict[str, float]:
    return {
        name: sum(v.flagged for v in guardian.check_batch([variant(t) for t in texts], respond=False)) / len(texts)
        for name, variant in VARIANTS.items()
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("build/data"))
    add_adapter_option(parser)
    parser.add_argument("--backend", default="ctranslate2", help="torch or ctranslate2")
    args = parser.parse_args(argv)

    adapters = adapters_to_compare(parser, args.adapter)
    sets: dict[str, list[str]] = {}
    for dataset in ("jbb", "dev"):
        _, rows = load_dataset(dataset, args.data)
        sets[f"{dataset} harmful"] = [r.text for r in rows if r.unsafe]
        sets[f"{dataset} benign"] = [r.text for r in rows if not r.unsafe]

    print("| adapter | rows | n | " + " | ".join(f"flagged, {v}" for v in VARIANTS) + " |")
    print("|---|---|---|" + "---|" * len(VARIANTS))
    for name, folder in adapters.items():
        guardian = Guardian.load(adapter=folder, backend=args.backend)
        for label, texts in sets.items():
            rates = flag_rates(guardian, texts)
            print(f"| {name} | {label} | {len(texts)} | " + " | ".join(f"{rates[v]:.3f}" for v in VARIANTS) + " |", flush=True)


if __name__ == "__main__":
    main()
