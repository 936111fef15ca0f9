"""Benchmark: a 2,000-article backfill from the replica, end to end, against bare trafilatura.

    python -m bench.pipeline [--articles 2000]

The replica runs in its own process (as the live site would be elsewhere). The pipeline runs
the real `backfill` flow (Prefect, process pool, SQLite). The baseline is bare
`trafilatura.extract` over the very same pages in one process, measured in the same run; the
result is reported as a ratio, since these machines are shared and noisy. Beside it: CPU
milliseconds per article by stage (main process and workers, `bench/stages.py`), the Prefect
server's and the replica's, and bare trafilatura's, with the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx

from bench.stages import CpuMark, ms_per_article

if TYPE_CHECKING:
    from prefect.client.schemas.objects import State

KYIV = ZoneInfo("Europe/Kyiv")
Article = dict[str, Any]  # one article of the replica's ground truth


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_replica(stories: int, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """Serve the replica in a process of its own (as the live site is elsewhere); wait for it.

    `options` go to `replica serve` as they are (e.g. faults for the fetch benchmark).
    """
    port = free_port()
    command = [sys.executable, "-m", "unn_ingest.replica", "serve", "--port", str(port)]
    command += ["--stories", str(stories), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:  # the clock is a control endpoint: no fault ever delays it
            if httpx.get(base + "/__clock__", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the replica did not start")


def window(articles: list[Article], wanted: int) -> tuple[list[Article], date, date]:
    """Return the newest whole days of truth articles adding up to at least `wanted`."""
    by_day: dict[date, list[Article]] = {}
    for a in articles:
        day = datetime.fromisoformat(a["published_at"]).astimezone(KYIV).date()
        by_day.setdefault(day, []).append(a)
    chosen: list[Article] = []
    days = sorted(by_day, reverse=True)
    for day in days:
        chosen += by_day[day]
        if len(chosen) >= wanted:
            return chosen, day, days[0]
    return chosen, days[-1], days[0]


def bare_trafilatura(urls: list[str]) -> tuple[float, float]:
    """Return (wall, CPU) seconds bare trafilatura.extract takes over these pages here."""
    import trafilatura

    with httpx.Client(timeout=30) as client:
        pages = [client.get(u).text for u in urls]
    started, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        trafilatura.extract(page, include_comments=False)
    return time.perf_counter() - started, time.process_time() - cpu


def reset_peak_rss() -> None:
    """Reset this process's peak-RSS mark (Linux), so it measures only what follows."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def peak_rss_mb(pid: int | str = "self") -> float:
    """Return a process's peak RSS (since its last reset), in MB (Linux VmHWM); 0 once gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds_by_process() -> dict[str, float]:
    """Return CPU seconds (own + reaped children) of this process and its descendants, by role.

    Linux /proc counters; the roles are what runs on the machine during the benchmark.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    found: dict[int, tuple[float, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat, open(f"/proc/{entry}/cmdline") as cmd:
                fields, command = stat.read().rsplit(")", 1)[1].split(), cmd.read()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        seconds = sum(int(v) for v in fields[11:15]) / ticks
        found[int(entry)] = (seconds, command.replace("\0", " "))
    roles: dict[str, float] = {}
    for pid, (seconds, command) in found.items():
        if pid == os.getpid() or _descends(pid, os.getpid(), parents):
            role = _role(pid, command)
            roles[role] = roles.get(role, 0.0) + seconds
    return roles


class WorkerMemory:
    """Sample the peak RSS (VmHWM) of the worker processes while the pipeline runs."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(0.25):
            for pid in _worker_pids():
                self.peak_mb = max(self.peak_mb, peak_rss_mb(pid))


def _worker_pids() -> list[int]:
    """Return the pids of the pool's workers: the children of this process's fork server."""
    with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as mine:
        children = [int(p) for p in mine.read().split()]
    workers = []
    for child in children:
        try:
            with open(f"/proc/{child}/cmdline") as cmd:
                if "forkserver" not in cmd.read():
                    continue
            with open(f"/proc/{child}/task/{child}/children") as theirs:
                workers += [int(p) for p in theirs.read().split()]
        except OSError:
            continue
    return workers


def _descends(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    while pid in parents and pid > 1:
        pid = parents[pid]
        if pid == ancestor:
            return True
    return False


def _role(pid: int, command: str) -> str:
    if pid == os.getpid():
        return "pipeline main process (with the workers it reaped)"
    if "forkserver" in command:
        return "worker processes (fork server and its workers)"
    if "replica" in command:
        return "replica"
    if "prefect" in command:
        return "prefect local server"
    return "other"


def warm_up() -> None:
    """Import the pipeline and start Prefect's local server before timing, and have the server
    serve once what a run asks of it (task runs, logs, artifacts, a run's state): a scheduled
    deployment has all of that done before its runs, and the server's API builds each of its
    routers' request handling on its first request (~0.15 s of CPU in all)."""
    import logging

    from prefect import flow, task
    from prefect.artifacts import (
        create_markdown_artifact,
        create_progress_artifact,
        update_progress_artifact,
    )
    from prefect.cache_policies import NO_CACHE
    from prefect.client.orchestration import get_client
    from prefect.runtime import flow_run

    import unn_ingest.flows.ingest  # noqa: F401
    from unn_ingest.flows.run_logs import PIPELINE_LOGGER, sending_logs_to_run

    @task(name="warm-up-task", cache_policy=NO_CACHE)
    def step(n: int) -> int:
        logging.getLogger(PIPELINE_LOGGER).info("warm-up step %d", n)
        return n

    @flow(name="warm-up")
    def warm() -> None:
        with sending_logs_to_run():
            progress = cast(UUID, create_progress_artifact(0.0, key="warm-up-progress"))
            step.submit(1).result()
            step(2)
            update_progress_artifact(progress, 100.0)
            create_markdown_artifact("warm-up", key="warm-up-summary")
            with get_client(sync_client=True) as client:
                client.read_flow_run(UUID(flow_run.id))

    warm()


def run_pipeline(
    base: str, day_from: date, day_to: date, data_dir: Path
) -> tuple[float, dict[str, Any], str]:
    from unn_ingest.flows.ingest import backfill

    started = time.perf_counter()
    run = backfill(day_from, day_to, None, base, None, str(data_dir), return_state=True)
    state: State[dict[str, Any]] = asyncio.run(cast(Coroutine[Any, Any, Any], run))
    seconds = time.perf_counter() - started
    summary = state.result()
    return seconds, summary, str(state.state_details.flow_run_id)


def count_task_runs(flow_run_id: str) -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    flow_filter = FlowRunFilter(id=FlowRunFilterId(any_=[UUID(flow_run_id)]))
    total = 0
    with get_client(sync_client=True) as client:
        while True:
            page = client.read_task_runs(flow_run_filter=flow_filter, limit=200, offset=total)
            total += len(page)
            if len(page) < 200:
                return total


@dataclass
class Measured:
    """What one benchmark run measured."""

    urls: list[str]
    seconds: float
    summary: dict[str, Any]
    run_id: str
    rss_pipeline: float
    rss_worker: float
    bare_seconds: float
    bare_cpu: float
    cpu: dict[str, float]
    stages: dict[str, Any]


def measure(wanted: int) -> Measured:
    """Serve a replica, backfill its newest ~`wanted` articles, then time bare extraction."""
    from unn_ingest.replica.catalogue import stories_for_articles

    process, base = start_replica(stories_for_articles(int(wanted * 1.3)))
    try:
        articles = httpx.get(base + "/__truth__", timeout=120).json()["articles"]
        chosen, day_from, day_to = window(articles, wanted)
        urls = [a["url"] for a in chosen]
        del articles, chosen  # the truth is the benchmark's, not the pipeline's memory
        warm_up()
        gc.collect()
        reset_peak_rss()
        before, mark = cpu_seconds_by_process(), CpuMark.now()
        with tempfile.TemporaryDirectory() as tmp, WorkerMemory() as workers:
            seconds, summary, run_id = run_pipeline(base, day_from, day_to, Path(tmp))
            after, done = cpu_seconds_by_process(), CpuMark.now()  # the workers are reaped
        rss_pipeline = peak_rss_mb()
        cpu = {k: round(v - before.get(k, 0.0), 2) for k, v in after.items()}
        stages = ms_per_article(mark, done, summary["editions"]["total"]["new"])
        bare, bare_cpu = bare_trafilatura(urls)
        rss_worker = workers.peak_mb
        return Measured(
            urls, seconds, summary, run_id, rss_pipeline, rss_worker, bare, bare_cpu, cpu, stages
        )
    finally:
        process.terminate()


def report(m: Measured) -> dict[str, Any]:
    """Return the figures: rates, their ratio, task runs, peak memory."""
    stored = m.summary["editions"]["total"]["new"]
    tasks = count_task_runs(m.run_id)
    pipeline_rate, bare_rate = stored / m.seconds, len(m.urls) / m.bare_seconds
    return {
        "articles_in_window": len(m.urls),
        "articles_stored": stored,
        "failures": len(m.summary["failures"]),
        "pipeline_seconds": round(m.seconds, 2),
        "pipeline_articles_per_s": round(pipeline_rate, 1),
        "bare_trafilatura_articles_per_s": round(bare_rate, 1),
        "ratio_pipeline_to_bare": round(pipeline_rate / bare_rate, 2),
        "task_runs": tasks,
        "task_runs_per_1000_articles": round(tasks / stored * 1000, 1) if stored else None,
        "peak_rss_mb_main_during_pipeline": round(m.rss_pipeline, 1),
        "peak_rss_mb_largest_worker": round(m.rss_worker, 1),
        "cpu_seconds_during_pipeline": m.cpu,
        "bare_trafilatura_seconds": round(m.bare_seconds, 2),
        "cpu_ms_per_article": {
            "pipeline (main process and workers)": m.stages,
            **{
                f"{role} (beside it)": round(m.cpu.get(role, 0.0) * 1000 / stored, 2)
                for role in ("prefect local server", "replica")
            },
            "bare trafilatura": round(m.bare_cpu * 1000 / len(m.urls), 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    os.environ.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",  # a loaded machine starts slowly
        PREFECT_LOGGING_LEVEL="WARNING",
        UNN_INGEST_REQUESTS_PER_SECOND="0",
        UNN_INGEST_MAX_CONCURRENCY="8",
    )
    print(json.dumps(report(measure(args.articles)), indent=2))


if __name__ == "__main__":
    main()
