"""Benchmark: the fetcher at a per-host limit of 8 against a replica adding 100 ms to every
response, so the ceiling is 8 / 0.1 s = 80 pages/s.

    python -m bench.fetch [--pages 800] [--limit 8] [--latency-ms 100]

The replica runs in its own process. Prints pages/s, its share of the ceiling, and the most
requests the replica ever saw in flight at once (which must not exceed the limit).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from typing import Any

import httpx

from bench.pipeline import start_replica
from unn_ingest.flows.fetch.http import Fetcher, FetchPolicy, FetchRequest


def article_urls(base: str, wanted: int) -> list[str]:
    articles = httpx.get(base + "/__truth__", timeout=120).json()["articles"]
    return [a["url"] for a in articles][:wanted]


def measure(pages: int, limit: int, latency_ms: float) -> dict[str, Any]:
    """Fetch `pages` article pages at the limit; return the rate and the replica's stats."""
    faults = ("--faults", "latency:1", "--latency-ms", str(latency_ms))
    process, base = start_replica(max(120, pages // 2), *faults)
    try:
        urls = article_urls(base, pages)
        host = re.sub(r"^https?://|:\d+$", "", base)
        policy = FetchPolicy((host,), "unn-ingest-bench", 0, max_concurrency=limit)
        with Fetcher(policy) as warm:  # the replica renders each page once: not measured
            warm.fetch_all([FetchRequest(u) for u in urls])
        with Fetcher(policy) as fetcher:
            fetcher.fetch_all([FetchRequest(base + "/rss/news_uk.xml")])  # robots.txt
            started = time.perf_counter()
            outcomes = fetcher.fetch_all([FetchRequest(u) for u in urls])
            seconds = time.perf_counter() - started
        stats = httpx.get(base + "/__stats__").json()
    finally:
        process.terminate()
    ok = sum(o.ok for o in outcomes)
    ceiling = limit / (latency_ms / 1000)
    return {
        "pages": len(urls),
        "fetched": ok,
        "seconds": round(seconds, 2),
        "pages_per_s": round(ok / seconds, 1),
        "ceiling_pages_per_s": ceiling,
        "share_of_ceiling": round(ok / seconds / ceiling, 3),
        "limit": limit,
        "replica_max_in_flight": stats["max_in_flight"],  # over both passes
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=800)
    parser.add_argument("--limit", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    print(json.dumps(measure(args.pages, args.limit, args.latency_ms), indent=2))


if __name__ == "__main__":
    main()
