"""Benchmark: a split backfill on two Prefect workers against the same on one worker.

    python -m bench.split [--days 14] [--part-days 7] [--batch-size 400]

The same replica (its own process, politeness off) serves both measurements, one after the
other in this run; each gets a fresh Prefect server on PostgreSQL (bench/topology.py) with
the deployments of prefect.yaml, and a fresh PostgreSQL schema for the records. Reported: the
wall time of the `split-backfill` command and of its parts (first part start to last part
end) for one and two workers, their ratios, and Prefect task runs per 1,000 articles.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, make_url, text

from bench.pipeline import KYIV, start_replica
from bench.topology import prefect_topology

PG_URL = os.environ.get(
    "UNN_INGEST_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def records_schema() -> Iterator[str]:
    """Create a fresh PostgreSQL schema for the records; yield its URL; drop it."""
    schema = f"unn_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def newest_days(base: str, days: int) -> tuple[date, date, int]:
    """Return the newest `days` whole site-local days of the replica and their article count."""
    truth = httpx.get(base + "/__truth__", timeout=60).json()["articles"]
    by_day = Counter(
        datetime.fromisoformat(a["published_at"]).astimezone(KYIV).date() for a in truth
    )
    chosen = sorted(by_day)[-days - 1 : -1]  # the newest day may still be filling: leave it
    return chosen[0], chosen[-1], sum(by_day[d] for d in chosen)


def measure(base: str, window: tuple[date, date], workers: int, args: Any) -> dict[str, Any]:
    """Run one split backfill on `workers` workers; return its times and task-run counts."""
    with tempfile.TemporaryDirectory() as work, records_schema() as db_url:
        site = {
            "UNN_INGEST_ORIGIN": base,
            "UNN_INGEST_DB_URL": db_url,
            "UNN_INGEST_REQUESTS_PER_SECOND": "0",
            "UNN_INGEST_MAX_CONCURRENCY": "8",
            "UNN_INGEST_WORKERS": "1",
            "UNN_INGEST_BATCH_SIZE": str(args.batch_size),
            "UNN_INGEST_DATA_DIR": work,
        }
        with prefect_topology(Path(work), PG_URL, site, workers=workers) as topology:
            env = {**topology.env, **site, "PREFECT_LOGGING_LEVEL": "WARNING"}
            command = [sys.executable, "-m", "unn_ingest", "split-backfill", "--json"]
            command += ["--from", str(window[0]), "--to", str(window[1])]
            command += ["--part-days", str(args.part_days)]
            started = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
            wall = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(done.stderr[-3000:])
            return {
                "workers": workers,
                "command_seconds": round(wall, 2),
                "parts_seconds": round(parts_span(topology.api), 2),
                "task_runs": task_runs_by_name(topology.api),
                "stored": stored_articles(db_url),
                "parts_by_worker": {k: len(v) for k, v in topology.submitted_by_worker().items()},
            }


def parts_span(api: str) -> float:
    """Return seconds from the first part's start to the last part's end."""
    body = {"flow_runs": {"tags": {"all_": ["unn-split"]}}}
    runs = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=30).json()
    starts = [datetime.fromisoformat(r["start_time"]) for r in runs]
    ends = [datetime.fromisoformat(r["end_time"]) for r in runs]
    return (max(ends) - min(starts)).total_seconds()


# The task run Prefect makes in the parent for each `run_deployment` (one per part), named by
# Prefect's random words (`brave-otter`): recognised by its task key instead.
RUN_DEPLOYMENT_KEY = "prefect.deployments.flow_runs.run_deployment."


def task_label(task_run: dict[str, Any]) -> str:
    """Name a task run by its task: the run name's first word (`process-batch en+uk #2`)."""
    if str(task_run.get("task_key", "")).startswith(RUN_DEPLOYMENT_KEY):
        return "run-deployment"
    return str(task_run["name"]).split(" ", 1)[0]


def task_runs_by_name(api: str) -> dict[str, int]:
    """Return the server's task runs counted by task (`task_label`), most first."""
    counts: Counter[str] = Counter()
    offset = 0
    while True:
        page = httpx.post(
            f"{api}/task_runs/filter", json={"limit": 200, "offset": offset}, timeout=30
        ).json()
        counts.update(task_label(t) for t in page)
        if len(page) < 200:
            return dict(counts.most_common())
        offset += 200


def stored_articles(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM article")).scalar_one())
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--part-days", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=400)
    parser.add_argument("--stories", type=int, default=900)
    args = parser.parse_args()
    replica, base = start_replica(args.stories)
    try:
        first, last, articles = newest_days(base, args.days)
        one = measure(base, (first, last), 1, args)
        two = measure(base, (first, last), 2, args)
    finally:
        replica.terminate()
        replica.wait(timeout=30)
    task_runs = sum(two["task_runs"].values())
    print(
        json.dumps(
            {
                "window": f"{first}..{last}",
                "articles_in_window": articles,
                "one_worker": one,
                "two_workers": two,
                "ratio_command_wall_time": round(
                    one["command_seconds"] / two["command_seconds"], 2
                ),
                "ratio_parts_wall_time": round(one["parts_seconds"] / two["parts_seconds"], 2),
                "task_runs_per_1000_articles": round(1000 * task_runs / two["stored"], 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
