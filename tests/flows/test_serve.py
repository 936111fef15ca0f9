"""`unn-ingest serve` with no Prefect server configured: it starts Prefect's server and UI
itself, runs the schedule, stops everything on Ctrl-C, and a second `serve` shows the history."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.flows.prefect_api import api_client
from tests.flows.test_prefect_monitoring import CI_OUT, chromium, render
from tests.flows.test_prefect_server import free_port, marked_processes, wait_for
from unn_ingest.replica.testing import running_replica

pytestmark = [pytest.mark.server, pytest.mark.slow]
RUNS = 2  # scheduled runs to see completed
STARTUP = 240.0  # seconds for Prefect's server to answer on a loaded machine
LEFT_WITHIN = 20.0  # seconds for every process of `serve` to be gone after it exits


def start_serve(origin: str, data_dir: Path, port: int, marker: str) -> subprocess.Popen[str]:
    """Start `serve` as a newcomer would: no PREFECT_API_URL, no PREFECT_HOME."""
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    env["UNN_INGEST_TEST_MARK"] = marker  # every process it starts inherits it
    command = [sys.executable, "-m", "unn_ingest", "serve", "--cron", "* * * * *"]
    command += ["--origin", origin, "--data-dir", str(data_dir), "--ui-port", str(port)]
    with (data_dir.parent / f"serve-{marker}.log").open("a") as log:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log, text=True)


def healthy(api: str) -> bool | None:
    try:
        return httpx.get(f"{api}/health", timeout=5).status_code == 200 or None
    except httpx.TransportError:
        return None


def completed_scheduled_runs(api: httpx.Client) -> list[dict[str, Any]]:
    found = api.post(
        "/flow_runs/filter",
        json={"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}, "sort": "START_TIME_ASC"},
    )
    return [run for run in found.json() if run["deployment_id"] and run["auto_scheduled"]]


def stop(serve: subprocess.Popen[str], marker: str) -> tuple[str, set[int]]:
    """Ctrl-C `serve`; return what it printed and the processes of it still alive after."""
    serve.send_signal(signal.SIGINT)
    out, _ = serve.communicate(timeout=120)
    deadline = time.monotonic() + LEFT_WITHIN
    while (left := set(marked_processes(marker))) and time.monotonic() < deadline:
        time.sleep(0.5)
    return out, left


def test_serve_brings_its_own_server_and_ui_and_keeps_the_history(tmp_path: Path) -> None:
    assert chromium() is not None, "the UI is looked at in Chromium: apt-get install -y chromium"
    data_dir, port, marker = tmp_path / "data", free_port(), uuid.uuid4().hex
    ui, api_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/api"
    with running_replica(seed=12, generated=20) as replica:
        serve = start_serve(replica.base_url, data_dir, port, marker)
        try:
            assert serve.stdout is not None
            assert serve.stdout.readline().startswith(f"Prefect UI: {ui} ")  # the first line
            wait_for(lambda: healthy(api_url), STARTUP)
            with api_client(api_url) as api:
                runs = wait_for(lambda: completed_scheduled_runs(api)[RUNS - 1 :] or None, 420)
                runs = completed_scheduled_runs(api)
            # the runs page's list is virtual: it shows in the screenshot, not always in the DOM
            render(f"{ui}/runs", CI_OUT / "serve-runs.png")
            run_page = render(f"{ui}/runs/flow-run/{runs[0]['id']}", CI_OUT / "serve-run.png")
        finally:
            out, left = stop(serve, marker)
        assert serve.returncode == 0, out
        assert not left, f"outlived serve: {[marked_processes(marker).get(p) for p in left]}"
        assert all(run["name"].startswith("ingest ") for run in runs)
        assert runs[0]["name"] in run_page and "Completed" in run_page, run_page[-3000:]
        assert "ingest finished:" in run_page  # its logs
        assert os.path.getsize(CI_OUT / "serve-runs.png") > 10_000
        assert (data_dir / "prefect" / "prefect.db").is_file()  # its state: the data directory

        again = start_serve(replica.base_url, data_dir, port, marker)
        try:
            wait_for(lambda: healthy(api_url), STARTUP)
            with api_client(api_url) as api:
                seen = {run["id"]: run for run in completed_scheduled_runs(api)}
                artifacts = api.post(
                    "/artifacts/filter",
                    json={"artifacts": {"flow_run_id": {"any_": [runs[0]["id"]]}}},
                ).json()
        finally:
            _, left = stop(again, marker)
    assert {run["id"] for run in runs} <= set(seen)  # the first serve's runs, after a restart
    assert any(a["key"].startswith("ingest-summary") for a in artifacts if a["key"])
    assert not left
