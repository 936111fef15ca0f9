"""Benchmark: article pages per second from the replica, over HTTP and in process.

    python -m bench.replica_serving [--pages 3000] [--clients 2] [--concurrency 16]

The replica runs under uvicorn (one worker, one thread) in this process, pinned to one core;
the clients are separate processes (asyncio + httpx), left unpinned so that they take whatever
core is free on a shared machine. Besides the wall-clock rate, the server's own CPU time gives
its capacity (pages per CPU-second), which shared-machine noise and the client's cost (httpx
spends about twice the server's CPU per page) do not distort.
Every page fetched is a distinct article (no render cache hits). Target: >= 300 pages/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from unn_ingest.replica.catalogue import build_catalogue, stories_for_articles
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.site import ReplicaSite


def _pin(core: int) -> None:
    """Pin this process (and threads it starts later) to one core, where supported."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if cores:
        os.sched_setaffinity(0, {cores[core % len(cores)]})


def article_paths(site: ReplicaSite, count: int) -> list[str]:
    """Return up to `count` distinct visible article paths (full pages), newest first."""
    visible = site.context().snapshot.visible
    paths = [e.path for code in ("uk", "en", "ru") for e in visible[code]]
    return paths[:count]


def in_process_rate(site: ReplicaSite, paths: list[str]) -> float:
    """Render every path once in process (cold cache) and return pages per second."""
    started = time.perf_counter()
    for path in paths:
        assert site.render(path).status == 200
    return len(paths) / (time.perf_counter() - started)


async def _fetch_all(base_url: str, paths: list[str], concurrency: int) -> dict[str, float]:
    """Fetch every path with `concurrency` workers; return counts and wall-clock bounds."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    totals = {"pages": float(len(paths)), "failures": 0.0, "bytes": 0.0}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            while not queue.empty():
                response = await client.get(queue.get_nowait())
                totals["failures"] += response.status_code != 200
                totals["bytes"] += len(response.content)

        totals["started"] = time.time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        totals["ended"] = time.time()
    return totals


def run_client(base_url: str, paths_file: str, concurrency: int) -> None:
    """Client process entry point: fetch the paths and print the result as JSON."""
    with open(paths_file, encoding="utf-8") as handle:
        paths = handle.read().split()
    print(json.dumps(asyncio.run(_fetch_all(base_url, paths, concurrency))))


def _clients(
    base_url: str, paths: list[str], clients: int, concurrency: int
) -> list[dict[str, float]]:
    """Run `clients` client processes over disjoint shares of the paths; return their results."""
    with tempfile.TemporaryDirectory() as folder:
        running = []
        for number in range(clients):
            share = Path(folder) / f"paths-{number}.txt"
            share.write_text("\n".join(paths[number::clients]), encoding="utf-8")
            command = [
                sys.executable,
                "-m",
                "bench.replica_serving",
                "--client",
                base_url,
                "--paths-file",
                str(share),
                "--concurrency",
                str(concurrency),
            ]
            running.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
        outputs = [process.communicate()[0] for process in running]
    return [json.loads(output) for output in outputs]


def run(pages: int, clients: int, concurrency: int, seed: int) -> dict[str, float]:
    """Serve `pages` distinct article pages to client processes; return the figures."""
    _pin(0)
    catalogue = build_catalogue(seed=seed, generated=stories_for_articles(int(pages * 1.3)))
    paths = article_paths(ReplicaSite(catalogue), pages)
    result = {"in_process_pages_per_second": in_process_rate(ReplicaSite(catalogue), paths)}
    with ReplicaServer(ReplicaSite(catalogue)) as server:
        before = resource.getrusage(resource.RUSAGE_SELF)
        parts = _clients(server.base_url, paths, clients, concurrency)
        after = resource.getrusage(resource.RUSAGE_SELF)
    for key in ("pages", "failures", "bytes"):
        result[key] = sum(part[key] for part in parts)
    result["seconds"] = max(p["ended"] for p in parts) - min(p["started"] for p in parts)
    result["pages_per_second"] = result["pages"] / result["seconds"]
    server_cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["server_cpu_seconds"] = server_cpu
    result["client_cpu_seconds"] = children.ru_utime + children.ru_stime
    result["server_pages_per_cpu_second"] = result["pages"] / server_cpu
    return result


def main() -> None:
    """Parse arguments, run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--concurrency", type=int, default=16, help="connections per client")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--paths-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        run_client(args.client, args.paths_file, args.concurrency)
        return
    result = run(args.pages, args.clients, args.concurrency, args.seed)
    print(report(result))


def report(result: dict[str, float]) -> str:
    """Return the human-readable figures."""
    ok = result["pages_per_second"] >= 300 and not result["failures"]
    kib = result["bytes"] / result["pages"] / 1024
    return "\n".join(
        (
            f"replica over HTTP: {result['pages']:.0f} article pages in {result['seconds']:.2f} s"
            f" = {result['pages_per_second']:.0f} pages/s (target >= 300: "
            f"{'OK' if ok else 'BELOW TARGET'}; {result['failures']:.0f} failures, "
            f"{kib:.1f} KiB/page)",
            f"server capacity: {result['server_pages_per_cpu_second']:.0f} pages per CPU-second "
            f"(server {result['server_cpu_seconds']:.2f} s CPU, "
            f"clients {result['client_cpu_seconds']:.2f} s CPU)",
            f"in-process render (cold cache): {result['in_process_pages_per_second']:.0f} pages/s",
        )
    )


if __name__ == "__main__":
    main()
