"""Load test of POST /v1/moderations: N requests from C concurrent clients, one short text each.

    python benchmarks/moderations_load.py --clients 32 --requests 192 [--backend ctranslate2]

Prints requests/s and p50/p95/p99 latency as a Markdown table, for one in-process server with
today's settings, once per `--threads` value (default: one thread, then every core, as
`guardian serve` loads the fast path: one-thread replicas). `guardian bench` runs this beside
its other baselines (replies one at a time, one lane for long and short texts).
"""

from __future__ import annotations

import argparse
import os

from slm_guardian import Guardian
from slm_guardian.serving.load_test import load_table, measure
from slm_guardian.serving.settings import ServerSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=192)
    parser.add_argument("--backend", default="ctranslate2", help="torch or ctranslate2")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, os.cpu_count()], help="model threads, one row each")
    args = parser.parse_args()
    rows = []
    for threads in args.threads:
        guardian = Guardian.load(backend=args.backend, threads=threads)
        rows.append(measure(guardian, f"{args.backend}, default settings, {threads} thread(s)", ServerSettings(), args.clients, args.requests))
        del guardian
    print(load_table(rows))


if __name__ == "__main__":
    main()
