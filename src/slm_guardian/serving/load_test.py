"""Load tests of an in-process `guardian serve` over loopback HTTP, each scenario beside its
baseline in the same run (`guardian bench`; `benchmarks/moderations_load.py` for one row).

- replies: 32 clients, 192 requests, half of them harmful (so half the answers carry a decoded
  safeguard reply), with replies decoded one at a time and then batched;
- mixed: 8 clients of short requests while one client keeps sending a ~15,000-character
  document, with one lane for all texts and then with the long lane.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

import httpx
import psutil

from slm_guardian.guardian import Guardian
from slm_guardian.serving.app import create_app
from slm_guardian.serving.background import ServerThread
from slm_guardian.serving.settings import ServerSettings

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


@dataclass
class LoadRow:
    scenario: str
    clients: int
    requests: int
    errors: int
    shed: int
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rss_before_mb: float
    rss_after_mb: float
    long_requests: int = 0
    long_p50_ms: float | None = None


async def _post_all(client: httpx.AsyncClient, url: str, texts: list[str], clients: int, stats: dict) -> None:
    counter = iter(range(len(texts)))

    async def worker() -> None:
        for i in counter:
            start = time.perf_counter()
            response = await client.post(url + "/v1/moderations", json={"input": texts[i]})
            stats["latencies"].append((time.perf_counter() - start) * 1000)
            stats["errors"] += response.status_code != 200
            stats["shed"] += response.status_code in (429, 503)

    await asyncio.gather(*(worker() for _ in range(clients)))


async def drive(url: str, clients: int, total: int, long_text: str | None = None) -> dict:
    """Send `total` short requests from `clients` clients (and, with `long_text`, one more
    client that sends it over and over until they finish)."""
    texts = [QUERIES[i % len(QUERIES)] for i in range(total)]
    stats = {"latencies": [], "errors": 0, "shed": 0, "long": []}
    done = asyncio.Event()

    async def long_sender(client: httpx.AsyncClient) -> None:
        while not done.is_set():
            start = time.perf_counter()
            response = await client.post(url + "/v1/moderations", json={"input": long_text})
            stats["long"].append((time.perf_counter() - start) * 1000)
            stats["errors"] += response.status_code != 200

    async with httpx.AsyncClient(timeout=600) as client:
        await client.post(url + "/v1/moderations", json={"input": "warm-up"})
        background = asyncio.create_task(long_sender(client)) if long_text else None
        if background:
            await asyncio.sleep(0.5)  # the document is being read when the short requests come
        start = time.perf_counter()
        await _post_all(client, url, texts, clients, stats)
        stats["wall"] = time.perf_counter() - start
        done.set()
        if background:
            await background
    return stats


def measure(guardian: Guardian, scenario: str, settings: ServerSettings, clients: int, total: int, long_text: str | None = None) -> LoadRow:
    process = psutil.Process()
    with ServerThread(create_app(guardian, settings)) as url:
        asyncio.run(drive(url, 1, 8))  # warm the model before the memory baseline
        before = process.memory_info().rss / 2**20
        stats = asyncio.run(drive(url, clients, total, long_text))
        after = process.memory_info().rss / 2**20
    latencies = stats["latencies"]
    q = statistics.quantiles(latencies, n=100)
    return LoadRow(
        scenario, clients, len(latencies), stats["errors"], stats["shed"], len(latencies) / stats["wall"],
        statistics.median(latencies), q[94], q[98], before, after,
        len(stats["long"]), statistics.median(stats["long"]) if stats["long"] else None,
    )


def run_load(guardian: Guardian, long_text: str, one_thread: Guardian | None = None) -> list[LoadRow]:
    """Every scenario with its baseline, in this process (`one_thread`: the same guard on one
    thread, for the baseline of running `guardian`'s threads as replicas)."""
    baseline = [measure(one_thread, "replies batched, one model thread (before)", ServerSettings(), 32, 192)] if one_thread else []
    return baseline + [
        measure(guardian, "replies one at a time (before)", ServerSettings(batch_replies=False), 32, 192),
        measure(guardian, "replies batched", ServerSettings(), 32, 192),
        measure(guardian, "mixed long/short, one lane (before)", ServerSettings(long_chars=10**9), 8, 64, long_text),
        measure(guardian, "mixed long/short, long lane", ServerSettings(), 8, 64, long_text),
    ]


def load_table(rows: list[LoadRow]) -> str:
    lines = [
        "| scenario | clients | requests | errors | shed | requests/s | p50 ms | p95 ms | p99 ms | RSS MB before → after | long docs judged, p50 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        long = f"{r.long_requests}, {r.long_p50_ms:.0f}" if r.long_p50_ms is not None else "–"
        lines.append(
            f"| {r.scenario} | {r.clients} | {r.requests} | {r.errors} | {r.shed} | {r.requests_per_s:.1f} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.p99_ms:.0f} | "
            f"{r.rss_before_mb:.0f} → {r.rss_after_mb:.0f} | {long} |"
        )
    return "\n".join(lines)
