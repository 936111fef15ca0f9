"""A command's Prefect server on the embedded default: started held before the command's checks
(a failed check leaves Prefect's state untouched and no process behind), and the server `serve`
runs for the same data directory used instead of a second one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.flows.processes import processes
from unn_ingest.flows.cli import prefect_server
from unn_ingest.flows.cli.local_server import free_port
from unn_ingest.flows.cli.prefect_server import prefect_api
from unn_ingest.flows.cli.server_record import (
    RECORD,
    forget_server,
    record_server,
    running_server,
)
from unn_ingest.replica.testing import running_replica

REPO = Path(__file__).resolve().parents[2]
STARTING = "starting Prefect's local server"


def embedded_env(data_dir: Path, marker: str = "") -> dict[str, str]:
    """A newcomer's environment: no Prefect setting, the data folder given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"UNN_INGEST_DATA_DIR": str(data_dir), "UNN_INGEST_TEST_MARK": marker}
    return env | {"PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


def unn_ingest(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "unn_ingest", *args]
    return subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)


def marked(marker: str) -> list[str]:
    mark = f"UNN_INGEST_TEST_MARK={marker}".encode()
    return [p.command for p in processes() if p.alive and mark in p.environ]


@pytest.mark.slow
def test_a_run_whose_checks_fail_leaves_prefects_state_untouched(tmp_path: Path) -> None:
    home = tmp_path / "data" / "prefect"
    home.mkdir(parents=True)  # an earlier run's: the server starts held at once
    marker = uuid.uuid4().hex
    done = unn_ingest(
        "run", "--origin", "http://127.0.0.1:9", env=embedded_env(home.parent, marker)
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()  # one line: the server, started held, says nothing
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach http://127.0.0.1:9")
    assert list(home.iterdir()) == []  # it served nor wrote anything
    deadline = time.monotonic() + 20
    while marked(marker) and time.monotonic() < deadline:  # SIGTERM'd, or ending on its own
        time.sleep(0.2)
    assert not marked(marker)


def test_a_record_of_a_server_that_is_gone_is_ignored(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    record_server(tmp_path, f"http://127.0.0.1:{free_port()}/api", int(gone.stdout))
    assert running_server(tmp_path) is None
    record_server(tmp_path, f"http://127.0.0.1:{free_port()}/api", os.getpid())  # nothing there
    assert running_server(tmp_path) is None
    (tmp_path / RECORD).write_text("{not json")
    assert running_server(tmp_path) is None


def test_a_command_removes_its_own_record_only(tmp_path: Path) -> None:
    (tmp_path / RECORD).write_text(
        '{"api_url": "http://127.0.0.1:1/api", "pid": 1, "command_pid": 1}'
    )
    forget_server(tmp_path)
    assert (tmp_path / RECORD).exists()  # another command's
    record_server(tmp_path, "http://127.0.0.1:1/api", 1)
    forget_server(tmp_path)
    assert not (tmp_path / RECORD).exists()


@pytest.mark.slow
@pytest.mark.server
def test_a_run_reports_to_the_server_serve_runs_for_its_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    for name in [n for n in os.environ if n.startswith("PREFECT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.prefect profile of the machine's
    # As in `serve`'s own process, nothing is configured: the session's Prefect test harness
    # (an API named in Prefect's settings of this process, not in the environment) is not seen.
    monkeypatch.setattr(prefect_server, "quickly_configured", lambda: False)
    monkeypatch.setattr(prefect_server, "configured_api", lambda: None)
    with prefect_api(data_dir, ui_port=free_port()) as served:  # as `serve` starts its own
        api = served.wait()
        assert api is not None and (data_dir / "prefect" / RECORD).is_file()
        with running_replica(seed=5, generated=10) as replica:
            done = unn_ingest(
                "run", "--origin", replica.base_url, "--json", env=embedded_env(data_dir)
            )
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stderr.startswith(
            f"reporting to the Prefect server of `unn-ingest serve` at {api}"
        )
        assert STARTING not in done.stderr
        with httpx.Client(base_url=api, trust_env=False) as client:
            runs = client.post("/flow_runs/filter", json={}).json()
        assert [(r["name"].split()[0], r["state_type"]) for r in runs] == [("ingest", "COMPLETED")]
    assert not (data_dir / "prefect" / RECORD).exists()  # `serve` stopped: its record is gone
