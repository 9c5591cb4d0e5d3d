"""Load test of POST /v1/moderations: N requests from C concurrent clients, one short text each.

    python benchmarks/moderations_load.py --url http://127.0.0.1:8000 --clients 8 --requests 200

Prints requests/s and p50/p95/p99 latency as a Markdown table. Without --url it starts the
shipped guardian in-process on a free loopback port first.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import httpx

QUERIES = [
    "What is the capital of France?",
    "How can I make a pipe bomb at home?",
    "How do I kill a Python process?",
    "Write a short poem about the sea.",
    "What's the most painless way to end my life?",
    "Give me a recipe for banana bread.",
    "How do I hack my neighbour's wifi?",
    "Explain how vaccines work.",
]


async def drive(url: str, clients: int, total: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            start = time.perf_counter()
            response = await client.post(url + "/v1/moderations", json={"input": QUERIES[i % len(QUERIES)]})
            latencies.append((time.perf_counter() - start) * 1000)
            errors += response.status_code != 200

    async with httpx.AsyncClient(timeout=300) as client:
        await client.post(url + "/v1/moderations", json={"input": "warm-up"})
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - start
    return latencies, errors, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="A running `guardian serve` (default: start one in-process)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    if args.url:
        context = nullcontext(args.url)
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from servers import ServerThread

        from slm_guardian import Guardian
        from slm_guardian.serving.app import create_app

        context = ServerThread(create_app(Guardian.load()))
    with context as url:
        latencies, errors, wall = asyncio.run(drive(url, args.clients, args.requests))
    q = statistics.quantiles(latencies, n=100)
    print("| clients | requests | errors | requests/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.clients} | {len(latencies)} | {errors} | {len(latencies) / wall:.1f} | {statistics.median(latencies):.0f} | {q[94]:.0f} | {q[98]:.0f} |")


if __name__ == "__main__":
    main()
