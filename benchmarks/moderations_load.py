"""Load test of POST /v1/moderations: N requests from C concurrent clients, one short text each.

    python benchmarks/moderations_load.py --clients 32 --requests 192 [--backend ctranslate2]

Prints requests/s and p50/p95/p99 latency as a Markdown table, for one in-process server with
today's settings. `guardian bench` runs this beside its baselines (replies one at a time, one
lane for long and short texts).
"""

from __future__ import annotations

import argparse

from slm_guardian import Guardian
from slm_guardian.serving.load_test import load_table, measure
from slm_guardian.serving.settings import ServerSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=192)
    parser.add_argument("--backend", default="ctranslate2", help="torch or ctranslate2")
    args = parser.parse_args()
    row = measure(Guardian.load(backend=args.backend), f"{args.backend}, default settings", ServerSettings(), args.clients, args.requests)
    print(load_table([row]))


if __name__ == "__main__":
    main()
