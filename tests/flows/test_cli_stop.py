"""Ctrl-C in the middle of a backfill, as a terminal sends it (SIGINT to the whole group), with
and without a Prefect server, and the Prefect UI's Cancel of a run started in a terminal: exit
130 within seconds, every article page fetched is stored, and the same command then fetches
only the rest."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.flows.prefect_api import api_client
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.testing import running_replica

pytestmark = [pytest.mark.slow, pytest.mark.server]
REPO = Path(__file__).resolve().parents[2]
INTERRUPTED = (
    "interrupted: what was fetched so far is stored; run the same command to fetch the rest"
)
CANCELLED = (
    "cancelled in Prefect: what was fetched so far is stored; run the same command to fetch "
    "the rest"
)
STOP_WITHIN = 10.0  # seconds from SIGINT to the exit
CANCEL_WITHIN = 20.0  # seconds from the UI's Cancel to the exit (the run asks every 5 s)
PAGES_BEFORE_STOP = 40  # article pages the replica served when Ctrl-C comes


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with running_replica(seed=11, generated=120) as server:
        yield server


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Prefect server on loopback that outlives the commands (as `prefect server start`),
    with a database of its own (not ~/.prefect's, which every process on the machine shares)."""
    from unn_ingest.flows.cli.local_server import LocalServer, free_port

    home = {"PREFECT_HOME": str(tmp_path_factory.mktemp("prefect-home"))}
    server = LocalServer(free_port(), environment=home)
    server.start()
    server.wait_ready(timeout=180)
    try:
        yield server.api_url
    finally:
        server.stop()


def articles_served(replica: ReplicaServer) -> int:
    return int(replica.site.stats.as_dict()["requests"].get("article", 0))


def stored_urls(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "unn-ingest.sqlite3") as db:
        return {row[0] for row in db.execute("SELECT url FROM article")}


def ctrl_c(run: subprocess.Popen[str], prefect_api: str | None) -> None:
    os.killpg(run.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group


def cancel_in_prefect(run: subprocess.Popen[str], prefect_api: str | None) -> None:
    """Do what the Prefect UI's Cancel button does to the running backfill."""
    assert prefect_api is not None
    body = {"flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}}}
    with api_client(prefect_api) as api:
        runs = api.post("/flow_runs/filter", json=body).json()
        assert len(runs) == 1, runs
        CANCELLED_RUNS.append(runs[0]["id"])
        state = {"state": {"type": "CANCELLING", "name": "Cancelling"}}
        assert api.post(f"/flow_runs/{runs[0]['id']}/set_state", json=state).is_success


CANCELLED_RUNS: list[str] = []


def stop_and_resume(
    replica: ReplicaServer,
    data_dir: Path,
    prefect_api: str | None,
    stop: Callable[[subprocess.Popen[str], str | None], None] = ctrl_c,
) -> str:
    """Stop a backfill midway with `stop`, check what it kept, resume; return its stderr."""
    truth = replica.site.truth()["articles"]
    days = sorted({a["published_at"][:10] for a in truth})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "UNN_"))}
    env |= {"UNN_INGEST_DATA_DIR": str(data_dir), "UNN_INGEST_REQUESTS_PER_SECOND": "8"}
    if prefect_api:
        env["PREFECT_API_URL"] = prefect_api
    command = [sys.executable, "-m", "unn_ingest", "backfill", "--origin", replica.base_url]
    command += ["--from", days[0], "--to", days[-1]]
    before = articles_served(replica)
    run = subprocess.Popen(
        command,
        env=env,
        cwd=REPO,
        text=True,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 240
        while articles_served(replica) - before < PAGES_BEFORE_STOP:
            assert run.poll() is None and time.monotonic() < deadline, run.communicate()[1][-3000:]
            time.sleep(0.1)
        stop(run, prefect_api)
        stopped_at = time.monotonic()
        out, errors = run.communicate(timeout=120)
        took = time.monotonic() - stopped_at
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    served = articles_served(replica) - before
    assert run.returncode == 130, errors[-3000:]
    cancelled = stop is cancel_in_prefect
    assert took < (CANCEL_WITHIN if cancelled else STOP_WITHIN), f"exit took {took:.1f} s"
    assert (CANCELLED if cancelled else INTERRUPTED) in errors.splitlines(), errors[-3000:]
    assert "Traceback" not in out + errors and "Error logging to API" not in errors
    stored = stored_urls(data_dir)
    in_flight = 4  # requests the stop cut short after the replica had answered them
    assert served - in_flight <= len(stored) <= served < len(truth), (served, len(stored))

    env["UNN_INGEST_REQUESTS_PER_SECOND"] = "0"
    resumed_from = articles_served(replica)
    resumed = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert articles_served(replica) - resumed_from == len(truth) - len(stored)
    assert stored_urls(data_dir) == {a["url"] for a in truth}
    return errors


def test_ctrl_c_without_a_prefect_server_keeps_the_fetched_pages(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    stop_and_resume(replica, tmp_path, None)


def test_ctrl_c_with_a_prefect_server_keeps_the_fetched_pages(
    replica: ReplicaServer, prefect_server: str, tmp_path: Path
) -> None:
    stop_and_resume(replica, tmp_path, prefect_server)


def test_cancel_in_the_prefect_ui_stops_a_run_started_in_a_terminal(
    replica: ReplicaServer, prefect_server: str, tmp_path: Path
) -> None:
    stop_and_resume(replica, tmp_path, prefect_server, cancel_in_prefect)
    with api_client(prefect_server) as api:
        run = api.get(f"/flow_runs/{CANCELLED_RUNS[-1]}").json()
    assert run["state"]["type"] == "CANCELLED", run["state"]
    assert run["state"]["message"].startswith("cancelled in Prefect: stopped before the end")
