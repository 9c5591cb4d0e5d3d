"""How wide the fast path's float32 recheck band must be: the int8 detector's raw scores
against the reference's on held-out text, the share of texts each band rechecks and the
verdicts it still leaves flipped.

The held-out text is ToxicChat's real user prompts that no file of a `guardian data build`
folder holds (the source's rows past the build's caps, seeded draw): not training data, which
the model fits so that few of its scores sit near the threshold, and not the dev suite, whose
agreement the chosen band is then judged on by `guardian bench`.

    python benchmarks/recheck_band.py --data build/data --source ../shared/data --rows 800 [--check-dev]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from pathlib import Path

from slm_guardian.data.build import read_examples
from slm_guardian.data.keys import dedup_key
from slm_guardian.data.sources import toxicchat
from slm_guardian.guardian import default_adapter_dir
from slm_guardian.model.ct2_model import band_around, load_ct2_guard_model
from slm_guardian.model.loading import load_guard_model

MARGINS = (0.1, 0.15, 0.2, 0.25, 0.3)


def held_out_texts(data: Path, source: Path, rows: int, seed: int) -> list[str]:
    """Up to `rows` ToxicChat prompts (drawn by `seed`) that no JSONL file under `data` holds
    (as a prompt row's text or a response row's query)."""
    used = set()
    for path in sorted(data.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:  # split on "\n" only, as JSONL is
            for row in (json.loads(line) for line in lines if line.strip()):
                used.update(dedup_key(row[field]) for field in ("text", "query") if isinstance(row.get(field), str))
    texts = {dedup_key(row.text): row.text for row in toxicchat(source)}
    free = [texts[key] for key in sorted(texts) if key not in used and texts[key].strip()]
    return random.Random(seed).sample(free, min(rows, len(free)))


def band_table(name: str, texts: list[str], reference: list[float], raw: list[float], threshold: float) -> None:
    """Each band's recheck share and the verdicts it leaves flipped (a recheck gives the
    reference's score: the float32 detector matches it to 1e-6)."""
    deltas = [abs(a - b) for a, b in zip(raw, reference)]
    print(f"\n{name}: {len(texts)} texts; raw int8 against the reference: mean |Δ| {statistics.mean(deltas):.4f}, max {max(deltas):.3f}")
    print("\n| band | rechecked | verdicts still flipped | agreement |\n|---|---|---|---|")
    for margin in MARGINS:
        low, high = band_around(threshold, margin)
        inside = [low <= r <= high for r in raw]
        flipped = sum(1 for r, ref, ins in zip(raw, reference, inside) if not ins and (r >= threshold) != (ref >= threshold))
        print(f"| ({low:.2f}, {high:.2f}) | {sum(inside) / len(texts):.1%} | {flipped} | {1 - flipped / len(texts):.2%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a `guardian data build` folder (its texts are left out)")
    parser.add_argument("--source", type=Path, default=Path("../shared/data"), help="the public data folder")
    parser.add_argument("--rows", type=int, default=800, help="held-out prompts to score")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--check-dev", action="store_true", help="print the same table for the build's dev split (a check of the chosen band, not the choice)")
    args = parser.parse_args()
    sets = {"held-out ToxicChat prompts": held_out_texts(args.data, args.source, args.rows, args.seed)}
    if args.check_dev:
        sets["dev split"] = [row.text for row in read_examples(args.data / "dev.jsonl")]
    adapter = default_adapter_dir()
    reference_model, fast = load_guard_model(adapter), load_ct2_guard_model(adapter, recheck_band=None)
    for name, texts in sets.items():
        reference = [s.unsafe for s in reference_model.score(texts)]
        band_table(name, texts, reference, [s.unsafe for s in fast.score(texts)], args.threshold)


if __name__ == "__main__":
    main()
