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


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _flags(adapter: Path | None, texts: list[str]) -> list[tuple[float, bool]]:
    guardian = Guardian.load(adapter=adapter, backend="ctranslate2")
    return [(v.unsafe_score, v.flagged) for v in guardian.check_batch(texts, respond=False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a `guardian data build` folder")
    parser.add_argument("--sets", nargs="+", default=["dev"], help="files of the build, without .jsonl (dev, toxigen, coconot, hatecheck)")
    parser.add_argument("--out", type=Path, help="write the flipped rows here (JSON)")
    add_adapter_option(parser)
    args = parser.parse_args()
    adapters = adapters_to_compare(parser, args.adapter)
    if len(adapters) != 2:
        parser.error("give exactly one --adapter NAME=DIR to compare with the shipped adapter")
    for name in args.sets:
        if not (args.data / f"{name}.jsonl").is_file():
            parser.error(f"no {name}.jsonl in {args.data}")
    (other_name, other), = [(k, v) for k, v in adapters.items() if k != "shipped"]
    report: dict[str, list[dict]] = {}
    for name in args.sets:
        rows = _rows(args.data / f"{name}.jsonl")
        texts = [row["text"] for row in rows]
        before, after = _flags(None, texts), _flags(other, texts)
        flips = [
            {"text": row["text"], "unsafe": row["unsafe"], "source": row.get("source"), "label": row.get("label"),
             "shipped": round(b[0], 3), other_name: round(a[0], 3), "now_flagged": a[1]}
            for row, b, a in zip(rows, before, after) if b[1] != a[1]
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
