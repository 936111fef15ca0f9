"""Nothing of a killed run stops the next one: SIGKILL a backfill's whole process group (its
worker processes with it; its temporary Prefect server, in a session of its own, sees the
command gone and stops), then run the same command again."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.flows.processes import processes
from unn_ingest.replica.testing import running_replica

pytestmark = [pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


def stored(data_dir: Path) -> list[str]:
    path = data_dir / "unn-ingest.sqlite3"
    if not path.exists():
        return []
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return [row[0] for row in db.execute("SELECT url FROM article")]
    except sqlite3.OperationalError:  # the schema is still being made
        return []


def servers_of(pid: int) -> list[int]:
    """Return the temporary Prefect servers started for the command `pid` that still run."""
    return [
        p.pid
        for p in processes()
        if p.alive and "unn_ingest.flows.cli.server_child" in p.argv and str(pid) in p.argv
    ]


def test_after_sigkill_the_same_backfill_starts_five_times_and_stores_each_article_once(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("PREFECT_API_URL", None)  # a temporary local server, as a first-time user has
    env.pop("PREFECT_LOGGING_LEVEL", None)
    env |= {"UNN_INGEST_DATA_DIR": str(tmp_path), "UNN_INGEST_REQUESTS_PER_SECOND": "10"}
    env["UNN_INGEST_WORKERS"] = "2"
    with running_replica(seed=11, generated=60) as replica:
        articles = httpx.get(replica.base_url + "/__truth__").json()["articles"]
        days = sorted({a["published_at"][:10] for a in articles})
        command = [sys.executable, "-m", "unn_ingest", "backfill", "--origin", replica.base_url]
        command += ["--from", days[0], "--to", days[-1]]
        run = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 300
        while not stored(tmp_path) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.2)
        assert servers_of(run.pid), "the command runs a temporary Prefect server of its own"
        os.killpg(run.pid, signal.SIGKILL)  # its server, in a session of its own, is not hit
        run.wait(timeout=30)
        assert 0 < len(stored(tmp_path)) < len(articles), "the kill should land mid-way"
        deadline = time.monotonic() + 20
        while servers_of(run.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not servers_of(run.pid), "the killed command's Prefect server outlived it"

        results = [
            subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
            for _ in range(5)
        ]
    for i, done in enumerate(results, 1):
        assert done.returncode == 0, f"run {i} after the kill: {done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, f"run {i}: {done.stderr[-2000:]}"
    urls = stored(tmp_path)
    assert len(urls) == len(set(urls))
    in_window = {a["url"] for a in articles if days[0] <= a["published_at"][:10] <= days[-1]}
    assert in_window <= set(urls)
