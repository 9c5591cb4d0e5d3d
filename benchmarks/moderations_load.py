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


async def drive(url: str, clients: int, total: int) -> tuple[list[float], int, float, int]:
    latencies: list[float] = []
    errors = 0
    shed = [0]
    counter = iter(range(total))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            start = time.perf_counter()
            response = await client.post(url + "/v1/moderations", json={"input": QUERIES[i % len(QUERIES)]})
            latencies.append((time.perf_counter() - start) * 1000)
            errors += response.status_code != 200
            shed[0] += response.status_code in (429, 503)

    async with httpx.AsyncClient(timeout=300) as client:
        await client.post(url + "/v1/moderations", json={"input": "warm-up"})
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - start
    return latencies, errors, wall, shed[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="A running `guardian serve` (default: start one in-process)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--backend", default="torch", help="torch or ctranslate2 (in-process server only)")
    args = parser.parse_args()
    import psutil

    process = psutil.Process()

    if args.url:
        context = nullcontext(args.url)
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from servers import ServerThread

        from slm_guardian import Guardian
        from slm_guardian.serving.app import create_app

        context = ServerThread(create_app(Guardian.load(backend=args.backend)))
    with context as url:
        asyncio.run(drive(url, 1, 8))  # warm the model before the memory baseline
        rss_before = process.memory_info().rss / 2**20
        latencies, errors, wall, shed = asyncio.run(drive(url, args.clients, args.requests))
        rss_after = process.memory_info().rss / 2**20
    q = statistics.quantiles(latencies, n=100)
    rss = f"{rss_before:.0f} → {rss_after:.0f}" if not args.url else "–"
    print("| clients | requests | errors | shed (429/503) | requests/s | p50 ms | p95 ms | p99 ms | server RSS MB before → after |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.clients} | {len(latencies)} | {errors} | {shed} | {len(latencies) / wall:.1f} | {statistics.median(latencies):.0f} | {q[94]:.0f} | {q[98]:.0f} | {rss} |")


if __name__ == "__main__":
    main()
