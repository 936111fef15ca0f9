"""A backfill killed with SIGKILL mid-run: nothing of it lives on, and running it again stores
every article exactly once from an archive that is still readable."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from prefect.settings import PREFECT_API_URL

from tests.flows.processes import processes
from unn_ingest.flows.fetch.archive import ArchiveDamage, read_archive
from unn_ingest.flows.ingest import backfill
from unn_ingest.replica.faults import FaultPlan
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

KYIV = ZoneInfo("Europe/Kyiv")
pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


def session_processes(sid: int) -> set[int]:
    """Return the live processes of a session (the killed command and all it started)."""
    return {p.pid for p in processes() if p.session == sid and p.alive}


def stored_articles(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=1) as conn:
            query = "SELECT count(*) FROM fetch_log WHERE kind = 'article' AND status = 200"
            return int(conn.execute(query).fetchone()[0])
    except sqlite3.Error:
        return 0


def test_a_killed_backfill_leaves_nothing_behind_and_resumes(
    fast_site_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNN_INGEST_MAX_CONCURRENCY", "2")  # slow enough to be killed mid-way
    monkeypatch.setenv("UNN_INGEST_WORKERS", "2")
    monkeypatch.setenv("UNN_INGEST_BATCH_SIZE", "20")
    database = fast_site_settings / "unn-ingest.sqlite3"
    plan = FaultPlan.from_profile("latency:1", latency_ms=40)
    with running_replica(seed=6, generated=110, faults=plan) as server:
        articles = httpx.get(server.base_url + "/__truth__").json()["articles"]
        first = min(datetime.fromisoformat(a["published_at"]) for a in articles)
        start = first.astimezone(KYIV).date().isoformat()
        end = server.site.now().astimezone(KYIV).date().isoformat()
        command = [sys.executable, "-m", "unn_ingest", "backfill", "--json"]
        command += ["--from", start, "--to", end, "--origin", server.base_url]
        env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
        run = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 240
        while stored_articles(database) < 60 and run.poll() is None:
            assert time.monotonic() < deadline, "the backfill never got going"
            time.sleep(0.2)
        assert run.poll() is None, "the backfill ended before it could be killed"
        helpers = session_processes(run.pid) - {run.pid}
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        assert run.stderr is not None
        run.stderr.close()
        end_by = time.monotonic() + 20
        while session_processes(run.pid) and time.monotonic() < end_by:
            time.sleep(0.2)
        assert session_processes(run.pid) == set(), "processes outlived the killed command"
        assert helpers, "the backfill ran worker processes"

        damage: list[ArchiveDamage] = []
        kept = list(read_archive(fast_site_settings / "warc", damage))
        assert kept, "the killed run archived what it fetched"
        assert len(damage) <= len(list((fast_site_settings / "warc").glob("*.warc.gz")))

        summary = asyncio.run(
            backfill(
                date.fromisoformat(start),
                date.fromisoformat(end),
                None,
                server.base_url,
                None,
                str(fast_site_settings),
            )
        )
    with Store.open(f"sqlite:///{database}") as store:
        urls = [r["url"] for r in store.iter_export(None, None)]
    assert sorted(urls) == sorted(a["url"] for a in articles), summary["failures"]
