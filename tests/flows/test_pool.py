"""The worker pool leaves no process behind: workers and the fork server end with it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.flows.processes import processes
from unn_ingest.flows.fetch.pool import REREADING, LazyProcessPool, count_request


def children() -> dict[int, str]:
    """Return this process's child processes (zombies too): pid -> command line."""
    return {p.pid: p.command for p in processes() if p.ppid == os.getpid()}


def pool_processes() -> set[int]:
    return {pid for pid, cmd in children().items() if "forkserver" in cmd}


def wait_until_gone(deadline: float = 5.0) -> set[int]:
    end = time.monotonic() + deadline
    while (left := pool_processes()) and time.monotonic() < end:
        time.sleep(0.05)
    return left


@pytest.mark.slow
def test_shutting_the_pool_down_stops_the_fork_server() -> None:
    for _ in range(2):  # a second pool in the same process starts a fork server again
        pool = LazyProcessPool(2)
        assert pool.submit(sum, [1, 2]).result(timeout=60) == 3
        assert pool_processes(), "the fork server runs while the pool does"
        pool.shutdown()
        assert wait_until_gone() == set()


@pytest.mark.slow
def test_a_terminated_pool_leaves_nothing_either() -> None:
    pool = LazyProcessPool(2)
    pool.warm()
    pool.submit(time.sleep, 0).result(timeout=60)
    pool.terminate()
    pool.shutdown()
    assert wait_until_gone() == set()


MAIN_SCRIPT = """
import os, sys
if __name__ != "__main__":  # imported again, as multiprocessing does in a new process
    open(os.environ["MARK"], "a").write(__name__ + "\\n")
else:
    from unn_ingest.flows.fetch.pool import LazyProcessPool

    pool = LazyProcessPool(2)
    print(sorted(pool.submit(os.getpid).result(timeout=60) for _ in range(4)) != [])
    pool.shutdown()
"""


@pytest.mark.slow
def test_workers_do_not_import_the_callers_main_module(tmp_path: Path) -> None:
    # The CLI's or a flow run's main module imports Prefect: seconds per worker, for nothing.
    import subprocess
    import sys

    script, mark = tmp_path / "main.py", tmp_path / "imported"
    script.write_text(MAIN_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "MARK": str(mark)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert not mark.exists(), mark.read_text()


@pytest.mark.slow
def test_the_requests_workers_count_reach_the_progress_callback() -> None:
    seen: list[int] = []
    pool = LazyProcessPool(2, on_requests=seen.append)
    for future in [pool.submit(count_request) for _ in range(5)]:
        future.result(timeout=60)
    pool.shutdown()
    assert sum(seen) == 5


IMPORTED = (
    "sorted(m for m in ('httpx', 'trafilatura', 'pydantic') if m in __import__('sys').modules)"
)


@pytest.mark.slow
def test_a_rereading_pools_workers_start_without_the_http_client_or_settings() -> None:
    pool = LazyProcessPool(2)
    pool.preload = REREADING
    try:
        assert pool.submit(eval, IMPORTED).result(timeout=60) == []
    finally:
        pool.shutdown()
    fetching = LazyProcessPool(2)
    try:  # a fetching pool's workers have them ready (all but trafilatura, the fallbacks')
        assert fetching.submit(eval, IMPORTED).result(timeout=60) == ["httpx", "pydantic"]
    finally:
        fetching.shutdown()
