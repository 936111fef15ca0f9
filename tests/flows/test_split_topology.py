"""Prefect at scale on loopback: a server on PostgreSQL, the process pool, two workers, the
`backfill-part` deployment from prefect.yaml, and a split backfill of the replica shared by both
workers, with an `ingest` run and an overlapping plain backfill writing at the same time."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import create_engine, text

from bench.topology import prefect_topology
from tests.flows.prefect_api import api_client
from unn_ingest.replica.testing import running_replica

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.postgres]
KYIV = ZoneInfo("Europe/Kyiv")
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DAYS = 4  # four parts of one day: enough for two workers to share
ERRORS = ("Traceback", "deadlock", "UniqueViolation", "duplicate key", "IntegrityError")


def kyiv_day(article: dict[str, Any]) -> date:
    return datetime.fromisoformat(article["published_at"]).astimezone(KYIV).date()


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "unn_ingest", *args, "--json"]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-3000:]
    assert not [e for e in ERRORS if e in err], err[-3000:]
    summary: dict[str, Any] = json.loads(out)
    return summary


def stored_urls(db_url: str) -> list[str]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT url FROM article"))]
    finally:
        engine.dispose()


def child_runs(api: str) -> list[dict[str, Any]]:
    body = {"flow_runs": {"tags": {"all_": ["unn-split"]}}}
    with api_client(api) as client:
        runs: list[dict[str, Any]] = client.post("/flow_runs/filter", json=body).json()
    return runs


def test_a_split_backfill_on_two_workers_stores_every_article_once(
    pg_schema_url: str, tmp_path: Path
) -> None:
    with running_replica(seed=3, generated=120) as replica:
        truth = httpx.get(replica.base_url + "/__truth__").json()["articles"]
        last = replica.site.now().astimezone(KYIV).date()
        days = sorted({kyiv_day(a) for a in truth if kyiv_day(a) <= last})[-DAYS:]
        site = {
            "UNN_INGEST_ORIGIN": replica.base_url,
            "UNN_INGEST_DB_URL": pg_schema_url,
            "UNN_INGEST_REQUESTS_PER_SECOND": "0",
            "UNN_INGEST_WORKERS": "1",  # two cores: the two workers are the parallelism
            "UNN_INGEST_DATA_DIR": str(tmp_path / "data"),
        }
        with prefect_topology(tmp_path, PG_ADMIN, site) as topology:
            topology.prefect("gcl", "create", "unn-site", "--limit", "2")
            env = {**topology.env, **site, "PREFECT_LOGGING_LEVEL": "WARNING"}
            window = ["--from", str(days[0]), "--to", str(days[-1])]
            split = start(["split-backfill", *window, "--site-limit", "unn-site"], env)
            overlapping = [
                start(["backfill", "--from", str(days[1]), "--to", str(days[2])], env),
                start(["run"], env),
                start(["run"], env),  # two ingest runs at once, as a schedule might
            ]
            summary = finish(split)
            for process in overlapping:
                finish(process)
            assert (summary["parts"], summary["ran"], summary["failed"]) == (DAYS, DAYS, [])
            runs = child_runs(topology.api)
            assert len(runs) == DAYS and {r["state_type"] for r in runs} == {"COMPLETED"}
            by_worker = topology.submitted_by_worker()
            assert all(by_worker.values()), f"a worker took no part: {by_worker}"
            assert set().union(*by_worker.values()) == {r["id"] for r in runs}

            # A part whose run did not complete (its worker died) is all a re-run does.
            died = runs[0]
            state = {"state": {"type": "CRASHED", "name": "Crashed"}, "force": True}
            with api_client(topology.api) as api:
                assert api.post(f"/flow_runs/{died['id']}/set_state", json=state).is_success
            again = finish(start(["split-backfill", *window], env))
            assert (again["completed_before"], again["ran"]) == (DAYS - 1, 1)
            part = next(t for t in died["tags"] if t.startswith("unn-part:"))
            after = child_runs(topology.api)
            assert len(after) == DAYS + 1
            same_part = sorted(r["state_type"] for r in after if part in r["tags"])
            assert same_part == ["COMPLETED", "CRASHED"]
    urls = stored_urls(pg_schema_url)
    wanted = {a["url"] for a in truth if days[0] <= kyiv_day(a) <= days[-1]}
    assert len(urls) == len(set(urls)), "an article stored twice"
    assert wanted <= set(urls) <= {a["url"] for a in truth}
