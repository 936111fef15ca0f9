"""Link debt: what a run stored but did not link (it died first) is linked by the next run
that covers those days, so the stories end as an uninterrupted run leaves them."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from prefect.settings import PREFECT_API_URL

from unn_ingest.flows.evaluation.linking import pairwise
from unn_ingest.flows.ingest import backfill
from unn_ingest.flows.steps import batches, link
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

KYIV = ZoneInfo("Europe/Kyiv")
pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


def linking_against_truth(data_dir: Path, truth: list[dict[str, Any]]) -> dict[str, Any]:
    """Score the stored stories on the replica's truth: story-pair recall and precision, and
    how many articles have no story; with how many articles wait for linking."""
    with Store.open(f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}") as store:
        rows = list(store.iter_export(None, None))
        waiting = store.link_debt_count()
    ids = {row["url"]: n for n, row in enumerate(rows)}
    predicted = {ids[r["url"]]: r["story_id"] for r in rows if r["story_id"] is not None}
    predicted |= {ids[r["url"]]: f"alone-{r['url']}" for r in rows if r["story_id"] is None}
    true = {ids[a["url"]]: a["story_id"] for a in truth if a["url"] in ids}
    score = pairwise(predicted, true, set(true))
    storyless = sum(1 for r in rows if r["story_id"] is None)
    return {"stored": len(rows), "recall": score["recall"], "precision": score["precision"],
            "storyless": storyless, "waiting": waiting}  # fmt: skip


def days_of(truth: Sequence[dict[str, Any]]) -> tuple[date, date]:
    days = [datetime.fromisoformat(a["published_at"]).astimezone(KYIV).date() for a in truth]
    return min(days), max(days)


def run_backfill(base_url: str, data_dir: Path, start: date, end: date) -> dict[str, Any]:
    summary = asyncio.run(backfill(start, end, None, base_url, None, str(data_dir)))
    return dict(summary)


def test_a_run_that_died_between_storing_and_linking_is_linked_by_the_next(
    fast_site_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    monkeypatch.setenv("UNN_INGEST_BATCH_SIZE", "15")
    monkeypatch.setenv("UNN_INGEST_WORKERS", "1")
    reference = tmp_path_factory.mktemp("uninterrupted")
    calls = {"n": 0}
    real = link.link_explicit

    def dies_on_the_third_batch(ctx: Any, ids: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 3:  # the batch is stored; its stories and the day's content links not
            raise RuntimeError("the process died here")
        return real(ctx, ids)

    with running_replica(seed=4, generated=40) as replica:
        truth = httpx.get(replica.base_url + "/__truth__").json()["articles"]
        start, end = days_of(truth)
        run_backfill(replica.base_url, reference, start, end)
        monkeypatch.setattr(batches, "link_explicit", dies_on_the_third_batch)
        with pytest.raises(Exception, match="died here"):
            run_backfill(replica.base_url, fast_site_settings, start, end)
        died = linking_against_truth(fast_site_settings, truth)
        monkeypatch.setattr(batches, "link_explicit", real)
        summary = run_backfill(replica.base_url, fast_site_settings, start, end)
    expected = linking_against_truth(reference, truth)
    assert died["waiting"] > 0 and died["storyless"] > 0, died  # the death left link debt
    assert summary["link_debt"] == {"settled": died["waiting"], "waiting": 0}
    assert linking_against_truth(fast_site_settings, truth) == expected
    assert expected["waiting"] == 0 and expected["storyless"] == 0


def stored_count(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM article").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_sigkill_mid_day_then_a_rerun_links_as_an_uninterrupted_run(
    fast_site_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    monkeypatch.setenv("UNN_INGEST_MAX_CONCURRENCY", "2")  # slow enough to be killed mid-day
    monkeypatch.setenv("UNN_INGEST_BATCH_SIZE", "20")
    reference = tmp_path_factory.mktemp("uninterrupted")
    with running_replica(seed=6, generated=110) as replica:
        truth = httpx.get(replica.base_url + "/__truth__").json()["articles"]
        start, end = days_of(truth)
        run_backfill(replica.base_url, reference, start, end)
        expected = linking_against_truth(reference, truth)
        command = [sys.executable, "-m", "unn_ingest", "backfill", "--json", "--origin"]
        command += [replica.base_url, "--from", start.isoformat(), "--to", end.isoformat()]
        env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
        run = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        database = fast_site_settings / "unn-ingest.sqlite3"
        deadline = time.monotonic() + 240
        while stored_count(database) < expected["stored"] // 3 and run.poll() is None:
            assert time.monotonic() < deadline, "the backfill never got going"
            time.sleep(0.05)
        assert run.poll() is None, "the backfill ended before it could be killed"
        os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        died = linking_against_truth(fast_site_settings, truth)
        run_backfill(replica.base_url, fast_site_settings, start, end)
    assert 0 < died["stored"] < expected["stored"]
    assert died["waiting"] > 0, died  # killed mid-day: that day's articles wait for linking
    after = linking_against_truth(fast_site_settings, truth)
    assert after == expected, (died, after, expected)
