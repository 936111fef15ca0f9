"""A Prefect server that goes away mid-run: the command ends within a minute with one line and
exit 1, and the same command stores the rest; a Ctrl-C then ends it within 10 s."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.flows.test_prefect_server import free_port
from unn_ingest.replica.testing import running_replica

pytestmark = [pytest.mark.server, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def doomed_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Prefect server of this test's own (the test kills it)."""
    home = tmp_path / "server-home"
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 120
        while not healthy(api):
            assert time.monotonic() < deadline and server.poll() is None, "no server"
            time.sleep(0.5)
        yield api, server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def healthy(api: str) -> bool:
    try:
        return httpx.get(api + "/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def stored(data_dir: Path) -> list[str]:
    try:
        with sqlite3.connect(data_dir / "unn-ingest.sqlite3", timeout=1) as db:
            return [row[0] for row in db.execute("SELECT url FROM article")]
    except sqlite3.Error:
        return []


def start_backfill(api: str | None, data_dir: Path, base_url: str, days: list[str]) -> Any:
    env = {**os.environ, "UNN_INGEST_DATA_DIR": str(data_dir)}
    env |= {"UNN_INGEST_REQUESTS_PER_SECOND": "8", "PREFECT_HOME": str(data_dir / "home")}
    env.pop("PREFECT_API_URL", None)
    if api is not None:
        env["PREFECT_API_URL"] = api
    command = [sys.executable, "-m", "unn_ingest", "backfill", "--json", "--origin", base_url]
    command += ["--from", days[0], "--to", days[-1]]
    return subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip


def test_the_server_killed_mid_run_ends_the_command_in_one_line_and_nothing_is_lost(
    doomed_server: tuple[str, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    api, server = doomed_server
    with running_replica(seed=9, generated=90) as replica:
        truth = httpx.get(replica.base_url + "/__truth__").json()["articles"]
        days = sorted(a["published_at"][:10] for a in truth)
        run = start_backfill(api, tmp_path, replica.base_url, days)
        deadline = time.monotonic() + 240
        while len(stored(tmp_path)) < 20:
            assert time.monotonic() < deadline and run.poll() is None, "never got going"
            time.sleep(0.2)
        os.killpg(server.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        _, errors = run.communicate(timeout=120)
        took = time.monotonic() - killed_at
        lines = [line for line in errors.splitlines() if line.strip()]
        assert took < 60, took
        assert run.returncode == 1, errors[-3000:]
        assert len(lines) == 1 and lines[0].startswith("error: the Prefect server"), lines
        assert api in lines[0] and "what was stored is kept" in lines[0]
        before = set(stored(tmp_path))
        again = start_backfill(None, tmp_path, replica.base_url, days)  # a server of its own
        out, errors = again.communicate(timeout=600)
    assert again.returncode == 0, errors[-3000:]
    urls = stored(tmp_path)
    assert len(urls) == len(set(urls)) and before <= set(urls)
    assert {a["url"] for a in truth} <= set(urls)
    assert '"waiting": 0' in out


def test_ctrl_c_ends_the_command_within_ten_seconds_while_the_server_is_gone(
    doomed_server: tuple[str, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    api, server = doomed_server
    with running_replica(seed=9, generated=90) as replica:
        truth = httpx.get(replica.base_url + "/__truth__").json()["articles"]
        days = sorted(a["published_at"][:10] for a in truth)
        run = start_backfill(api, tmp_path, replica.base_url, days)
        deadline = time.monotonic() + 240
        while len(stored(tmp_path)) < 20:
            assert time.monotonic() < deadline and run.poll() is None, "never got going"
            time.sleep(0.2)
        os.killpg(server.pid, signal.SIGKILL)
        time.sleep(2)  # the run is now waiting on a server that is gone
        os.killpg(run.pid, signal.SIGINT)
        interrupted_at = time.monotonic()
        _, errors = run.communicate(timeout=60)
        took = time.monotonic() - interrupted_at
    assert took < 10, (took, errors[-3000:])
    assert run.returncode in (130, 1), errors[-3000:]
    assert "Traceback" not in errors
