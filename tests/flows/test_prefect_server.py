"""A real Prefect server on loopback: run `ingest` through it, read back what the UI shows."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.flows.prefect_api import api_client
from tests.flows.processes import processes
from unn_ingest.replica.testing import running_replica

pytestmark = [pytest.mark.server, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def pipeline_env(prefect_api: str, data_dir: Path, rate: str = "0") -> dict[str, str]:
    """Return the environment of a pipeline command reporting to the test's Prefect server."""
    return {
        **os.environ,
        "PREFECT_API_URL": prefect_api,
        "UNN_INGEST_REQUESTS_PER_SECOND": rate,
        "UNN_INGEST_DATA_DIR": str(data_dir),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env["PREFECT_UI_API_URL"] = f"http://127.0.0.1:{port}/api"  # the UI's default is port 4200
    env["PREFECT_UI_URL"] = f"http://127.0.0.1:{port}"  # for the links in alerts
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(api + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, (home / "server.log").read_text()[-2000:]
            time.sleep(0.5)
        else:
            pytest.fail("prefect server did not start within 120 s")
        yield api
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_ingest_through_a_prefect_server_is_visible_in_its_api(
    prefect_api: str, tmp_path: Path
) -> None:
    env = pipeline_env(prefect_api, tmp_path)
    with running_replica(seed=5, generated=20) as replica:
        done = subprocess.run(
            [sys.executable, "-m", "unn_ingest", "run", "--origin", replica.base_url, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    with api_client(prefect_api) as api:
        runs = api.post("/flow_runs/filter", json={}).json()
        assert [r["state_type"] for r in runs] == ["COMPLETED"]
        run_id = runs[0]["id"]
        task_runs = api.post(
            "/task_runs/filter", json={"flow_runs": {"id": {"any_": [run_id]}}}
        ).json()
        names = {t["name"].split(" ")[0] for t in task_runs}  # "process-batch uk latest #1"
        assert {"catch-up", "select-work", "process-batch", "link-by-content"} <= names
        assert all(t["state_type"] == "COMPLETED" for t in task_runs)
        artifacts = api.post(
            "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run_id]}}}
        ).json()
        by_kind = {"-".join(a["key"].split("-")[:2]): a for a in artifacts if a["key"]}
        assert {"ingest-summary", "ingest-failures"} <= set(by_kind)  # + site and database
        table = by_kind["ingest-summary"]["data"]
        rows = table if isinstance(table, list) else json.loads(table)
        total = next(r for r in rows if r["edition"] == "total")
        assert total["new"] > 0 and total["failed"] == 0


def prefect_cli(
    api: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PREFECT_API_URL": api, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "prefect", "--no-prompt", *args],
        env=full_env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def deployed(prefect_api: str) -> str:
    """Create the work pool and deploy prefect.yaml on the module's server; return its API."""
    made = prefect_cli(prefect_api, "work-pool", "create", "unn-ingest", "--type", "process")
    assert made.returncode == 0, made.stdout + made.stderr
    deployed = prefect_cli(prefect_api, "deploy", "--all")
    assert deployed.returncode == 0, deployed.stdout[-2000:] + deployed.stderr[-2000:]
    with api_client(prefect_api) as api:
        names = {d["name"] for d in api.post("/deployments/filter", json={}).json()}
        assert {"ingest", "backfill"} <= names
        for deployment in api.post("/deployments/filter", json={}).json():
            assert str(REPO) not in json.dumps(deployment["pull_steps"] or [])  # any folder
        ingest = find_deployment(api, "ingest")  # its schedule would send workers to unn.ua
        assert ingest is not None
        paused = api.post(f"/deployments/{ingest['id']}/pause_deployment")
        assert paused.status_code < 300, paused.text
    return prefect_api


def test_prefect_yaml_deploys_and_a_worker_runs_the_backfill(deployed: str, tmp_path: Path) -> None:
    prefect_api = deployed
    env = {
        "UNN_INGEST_HOME": str(REPO),
        "UNN_INGEST_DATA_DIR": str(tmp_path),
        "UNN_INGEST_REQUESTS_PER_SECOND": "0",
    }
    with running_replica(seed=6, generated=10) as replica:
        params = ["--param", "date_from=2025-11-19", "--param", "date_to=2025-11-20"]
        params += ["--param", f"origin={replica.base_url}"]
        started = prefect_cli(prefect_api, "deployment", "run", "backfill/backfill", *params)
        assert started.returncode == 0, started.stderr[-2000:]
        worked = prefect_cli(
            prefect_api, "worker", "start", "--pool", "unn-ingest", "--run-once", env=env
        )
    assert worked.returncode == 0, worked.stderr[-3000:]
    with api_client(prefect_api) as api:
        runs = api.post(
            "/flow_runs/filter", json={"flows": {"name": {"any_": ["backfill"]}}}
        ).json()
        assert [r["state_type"] for r in runs] == ["COMPLETED"]
        artifacts = api.post(
            "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [runs[0]["id"]]}}}
        ).json()
        rows = next(a["data"] for a in artifacts if a["key"].startswith("backfill-summary-"))
        rows = rows if isinstance(rows, list) else json.loads(rows)
        assert next(r for r in rows if r["edition"] == "total")["new"] > 0


def test_serve_registers_the_schedule_and_runs_what_is_triggered(
    prefect_api: str, tmp_path: Path
) -> None:
    env = pipeline_env(prefect_api, tmp_path)
    with running_replica(seed=8, generated=10) as replica:
        command = [sys.executable, "-m", "unn_ingest", "serve", "--cron", "0 3 * * *"]
        server = subprocess.Popen(
            [*command, "--origin", replica.base_url], env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            with api_client(prefect_api) as api:
                deployment = wait_for(lambda: find_deployment(api, "ingest-scheduled"))
                assert deployment["schedules"][0]["schedule"]["cron"] == "0 3 * * *"
                scheduled = api.post(f"/deployments/{deployment['id']}/schedule", json={})
                assert scheduled.status_code < 300, scheduled.text
                created = api.post(f"/deployments/{deployment['id']}/create_flow_run", json={})
                assert created.status_code < 300, created.text
                run = created.json()
                state = wait_for(lambda: finished_state(api, run["id"]))
                assert state == "COMPLETED"
                upcoming = scheduled_runs(api, deployment["id"])
        finally:
            server.send_signal(signal.SIGINT)
            server.communicate(timeout=60)  # waits, and closes its pipe
    assert (tmp_path / "unn-ingest.sqlite3").exists()
    # The runs the server scheduled ahead bear the names they will keep (Prefect's are random).
    assert upcoming and all(
        r["name"] == f"ingest {r['expected_start_time'][:10]} 03:00:00 UTC uk,en,ru"
        for r in upcoming
    ), [r["name"] for r in upcoming]


def scheduled_runs(api: httpx.Client, deployment_id: str) -> list[dict[str, Any]]:
    body = {
        "deployments": {"id": {"any_": [deployment_id]}},
        "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
    }
    runs: list[dict[str, Any]] = api.post("/flow_runs/filter", json=body).json()
    return runs


def find_deployment(api: httpx.Client, name: str) -> dict[str, Any] | None:
    found = api.post("/deployments/filter", json={"deployments": {"name": {"any_": [name]}}})
    items: list[dict[str, Any]] = found.json()
    return items[0] if items else None


def finished_state(api: httpx.Client, run_id: str) -> str | None:
    state: str = api.get(f"/flow_runs/{run_id}").json()["state_type"]
    return state if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None


def wait_for(probe: Callable[[], T | None], seconds: float = 120) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        time.sleep(0.5)
    pytest.fail(f"gave up after {seconds} s")


def test_ctrl_c_stops_a_backfill_at_once_and_the_same_command_resumes_it(
    prefect_api: str, tmp_path: Path
) -> None:
    env = pipeline_env(prefect_api, tmp_path, rate="8")  # slow enough to stop mid-way
    with running_replica(seed=9, generated=90) as replica:
        articles = httpx.get(replica.base_url + "/__truth__").json()["articles"]
        days = sorted({a["published_at"][:10] for a in articles})
        command = [sys.executable, "-m", "unn_ingest", "backfill", "--origin", replica.base_url]
        command += ["--from", days[0], "--to", days[-1]]
        run = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            text=True,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        wait_for(lambda: stored_count(tmp_path) or None)
        os.killpg(run.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
        stopped_at = time.monotonic()
        out, errors = run.communicate(timeout=60)
        assert time.monotonic() - stopped_at < 15
        assert run.returncode == 130, errors[-2000:]
        assert "interrupted" in errors and "Traceback" not in out + errors, errors[-2000:]
        assert 0 < stored_count(tmp_path) < len(articles)
        with api_client(prefect_api) as api:
            stopped = api.post(
                "/flow_runs/filter",
                json={"flows": {"name": {"any_": ["backfill"]}}, "sort": "START_TIME_DESC"},
            ).json()[0]
            artifacts = api.post(
                "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [stopped["id"]]}}}
            ).json()
        summary = next(a for a in artifacts if a["key"].startswith("backfill-summary-"))
        assert "stopped before the end" in summary["description"]  # a stopped run publishes

        env["UNN_INGEST_REQUESTS_PER_SECOND"] = "0"
        resumed = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
    in_window = {a["url"] for a in articles if days[0] <= a["published_at"][:10] <= days[-1]}
    assert stored_urls(tmp_path) >= in_window


def stored_count(data_dir: Path) -> int:
    return len(stored_urls(data_dir))


def stored_urls(data_dir: Path) -> set[str]:
    import sqlite3

    path = data_dir / "unn-ingest.sqlite3"
    if not path.exists():
        return set()
    with sqlite3.connect(path) as db:
        try:
            return {row[0] for row in db.execute("SELECT url FROM article")}
        except sqlite3.OperationalError:  # the schema is still being created
            return set()


def test_cancelling_a_deployment_run_stops_it_and_it_publishes_what_it_did(
    deployed: str, tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex  # every process the worker starts inherits it
    env = {
        **os.environ,
        "PREFECT_API_URL": deployed,
        "UNN_INGEST_HOME": str(REPO),
        "UNN_INGEST_DATA_DIR": str(tmp_path),
        "UNN_INGEST_REQUESTS_PER_SECOND": "8",  # slow enough to cancel mid-way
        "UNN_INGEST_WORKERS": "2",
        "UNN_INGEST_TEST_MARK": marker,
    }
    worker_log = tmp_path / "worker.log"
    with (
        running_replica(seed=9, generated=90) as replica,
        api_client(deployed) as api,
    ):
        articles = httpx.get(replica.base_url + "/__truth__").json()["articles"]
        days = sorted({a["published_at"][:10] for a in articles})  # 303 articles: a worker pool
        run_id = start_deployment_run(
            api, "backfill", date_from=days[0], date_to=days[-1], origin=replica.base_url
        )
        with worker_log.open("w") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "prefect", "worker", "start", "--pool", "unn-ingest"],
                env=env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for(lambda: stored_count(tmp_path) >= 30 or None, 300)
            of_the_run = {p: cmd for p, cmd in marked_processes(marker).items() if p != worker.pid}
            assert any("forkserver" in cmd for cmd in of_the_run.values()), of_the_run
            cancelled = prefect_cli(deployed, "flow-run", "cancel", run_id)  # the UI's Cancel
            assert cancelled.returncode == 0, cancelled.stdout + cancelled.stderr
            state = wait_for(lambda: finished_state(api, run_id), 60)
            left = outliving(set(of_the_run), marker, seconds=15)
            # The run's own message is the one shown, not the worker's "…cancelled successfully."
            message = wait_for(lambda: own_message(api, run_id), 40)
        finally:
            os.killpg(worker.pid, signal.SIGINT)
            worker.wait(timeout=60)
            for pid in marked_processes(marker):  # whatever a failure here left behind
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        logs = api.post("/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}}).json()
        artifacts = api.post(
            "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run_id]}}}
        ).json()
    assert state == "CANCELLED"
    assert message.startswith("stopped before the end: ")  # the run's own, put back
    summary = [a for a in artifacts if a["key"].startswith("backfill-summary-")]
    assert summary and "stopped before the end" in summary[0]["description"], artifacts
    rows = (
        summary[0]["data"]
        if isinstance(summary[0]["data"], list)
        else json.loads(summary[0]["data"])
    )
    assert next(r for r in rows if r["edition"] == "total")["failed"] == 0  # unfetched ≠ failed
    assert 0 < stored_count(tmp_path) < len(articles)
    output = worker_log.read_text()
    assert "Traceback" not in output, output[-3000:]
    assert not any("Traceback" in line["message"] for line in logs)
    assert not left, f"outlived the run: {[of_the_run[p] for p in left]}"


def own_message(api: httpx.Client, run_id: str) -> str | None:
    """Return the run's state message once it is the run's own (a stopped run's), else None."""
    state = api.get(f"/flow_runs/{run_id}").json()["state"]
    message: str = state["message"] or ""
    return message if state["type"] == "CANCELLED" and "stopped before" in message else None


def start_deployment_run(api: httpx.Client, deployment: str, **parameters: str) -> str:
    found = find_deployment(api, deployment)
    assert found is not None, f"no deployment {deployment}"
    created = api.post(
        f"/deployments/{found['id']}/create_flow_run", json={"parameters": parameters}
    )
    assert created.status_code < 300, created.text
    run_id: str = created.json()["id"]
    return run_id


def marked_processes(marker: str) -> dict[int, str]:
    """Return the live processes (pid: command line) whose environment holds the marker."""
    mark = f"UNN_INGEST_TEST_MARK={marker}".encode()
    return {p.pid: p.command for p in processes() if p.alive and mark in p.environ}


def outliving(pids: set[int], marker: str, seconds: float) -> set[int]:
    """Wait up to `seconds` for these processes to end; return those still alive."""
    deadline = time.monotonic() + seconds
    while (alive := pids & set(marked_processes(marker))) and time.monotonic() < deadline:
        time.sleep(0.5)
    return alive
