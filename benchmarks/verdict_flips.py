"""Which prompt verdicts move between the shipped adapter and another one: per set, the rows
whose flag flips, counted by gold label, direction and source, and listed in a JSON file.

An F1 that falls by a point says little about why; the flipped rows say whether the new
adapter lost recall, flags harmless text on a sensitive topic, or both.

    python benchmarks/verdict_flips.py --data build/data-generated-4k-diasafety --sets dev toxigen \\
        --adapter dia-whole=build/response-generated-4k-diasafety --out build/flips.json
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

from adapter_args import adapters_to_compare, add_adapter_option

from slm_guardian import Guardian
from slm_guardian.evaluation.runner import BUILT_SETS, guardian_detection, load_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a `guardian data build` folder")
    parser.add_argument("--sets", nargs="+", default=["dev"], help=f"sets as `guardian eval` names them: {', '.join(BUILT_SETS)}, policy-probes, or a labelled JSONL path")
    parser.add_argument("--out", type=Path, help="write the flipped rows here (JSON)")
    add_adapter_option(parser)
    args = parser.parse_args()
    adapters = adapters_to_compare(parser, args.adapter)
    if len(adapters) != 2:
        parser.error("give exactly one --adapter NAME=DIR to compare with the shipped adapter")
    try:
        sets = [load_dataset(name, args.data) for name in args.sets]
    except (FileNotFoundError, ValueError) as exc:
        parser.error(str(exc))
    (other_name, other), = [(k, v) for k, v in adapters.items() if k != "shipped"]
    shipped, compared = Guardian.load(backend="ctranslate2"), Guardian.load(adapter=other, backend="ctranslate2")
    report: dict[str, list[dict]] = {}
    for name, rows in sets:
        texts = [row.text for row in rows]
        before, after = guardian_detection(shipped, texts, desc="shipped"), guardian_detection(compared, texts, desc=other_name)
        flips = [
            {"text": row.text, "unsafe": row.unsafe, "source": row.source, "label": row.label,
             "shipped": round(b.unsafe_score, 3), other_name: round(a.unsafe_score, 3), "now_flagged": a.flagged}
            for row, b, a in zip(rows, before, after) if b.flagged != a.flagged
        ]
        report[name] = flips
        print(f"\n{name}: {len(rows)} rows, {len(flips)} verdicts flipped (shipped → {other_name})")
        print("| gold | flip | source | rows |\n|---|---|---|---|")
        counts = collections.Counter(
            ("harmful" if f["unsafe"] else "harmless", "newly flagged" if f["now_flagged"] else "no longer flagged", f["source"]) for f in flips
        )
        for (gold, flip, source), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[1])):
            print(f"| {gold} | {flip} | {source} | {n} |")
    if args.out:
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
