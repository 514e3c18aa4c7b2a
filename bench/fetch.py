"""The crawler's fetcher alone: conditional requests answered 304, per second and CPU per request.

    .venv/bin/python bench/fetch.py                 # 3,000 requests, 32 concurrent, 3 rounds
    .venv/bin/python bench/fetch.py --requests 10000

No database and no worker: `Fetcher.fetch_each` against bench/crawl.py's feed server (a separate process),
every request carrying the ETag the server answers 304 to, once on asyncio's event loop and once on uvloop
(the crawler's fetch thread runs on uvloop), rounds alternating. CPU is this process's (user + system), so
it holds when other work shares the machine; requests per second do not.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

import uvloop

from crawl import serve  # bench/crawl.py: the same feed server as the crawl benchmark
from lytt.crawl.fetch import FetchConfig, Fetcher, FetchRequest, FetchResult
from lytt.crawl.safety import AddressPolicy

FEEDS = 1000
WARM_UP = 300


async def _measure(requests: list[FetchRequest], concurrency: int) -> tuple[float, float]:
    """Requests per second and CPU microseconds per request, after a warm-up that opens the connections."""
    config = FetchConfig(concurrency=concurrency, per_host=concurrency)
    async with Fetcher(config, policy=AddressPolicy(allow_private=True)) as fetcher:
        await fetcher.fetch_each(requests[:WARM_UP], lambda result: None)
        results: list[FetchResult] = []
        cpu, wall = time.process_time(), time.perf_counter()
        await fetcher.fetch_each(requests, results.append)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if any(result.status_code != 304 for result in results):
        raise RuntimeError("benchmark run incomplete: a request was not answered 304")
    return len(requests) / wall, cpu / len(requests) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    multiprocessing.set_start_method("spawn")
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    requests = [
        FetchRequest(n, f"http://127.0.0.1:{port}/{n % FEEDS}.xml", f'"feed-{n % FEEDS}-v1"')
        for n in range(args.requests)
    ]
    loops: dict[str, Callable[[Coroutine[Any, Any, tuple[float, float]]], tuple[float, float]]] = {
        "asyncio": asyncio.run,
        "uvloop": uvloop.run,
    }
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in loops}
    try:
        for _ in range(args.rounds):
            for name, run in loops.items():
                figures[name].append(run(_measure(requests, args.concurrency)))
    finally:
        server.terminate()
        server.join(timeout=10)
    print(f"{args.requests:,} requests, {args.concurrency} concurrent, load average {os.getloadavg()[0]:.1f}")
    print("\n| loop | 304s per second (median) | CPU per request, µs (median) |\n| --- | ---: | ---: |")
    for name, rows in figures.items():
        rate = statistics.median(row[0] for row in rows)
        cpu = statistics.median(row[1] for row in rows)
        print(f"| {name} | {rate:,.0f} | {cpu:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
