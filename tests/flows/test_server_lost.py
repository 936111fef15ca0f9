"""A Prefect server that goes away mid-run: what the run had fetched is stored, the command
ends within a minute with one line (the server, the count of articles kept, what to run) and
exit 1, leaving no process; the same command, the server back, stores the rest without
fetching again what the first run fetched, and sets the lost run Crashed. A Ctrl-C while the
server is gone ends the command within 10 s."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.flows.prefect_api import api_client
from tests.flows.processes import processes
from tests.flows.test_prefect_server import free_port
from unn_ingest.flows.fetch.archive import read_archive
from unn_ingest.replica.testing import running_replica

pytestmark = [pytest.mark.server, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


@dataclass
class DoomedServer:
    """A Prefect server of a test's own, which the test kills and may start again."""

    home: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        env = {**os.environ, "PREFECT_HOME": str(self.home)}
        env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
        env.pop("PREFECT_API_URL", None)
        command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while not healthy(self.api):
            assert time.monotonic() < deadline and self.process.poll() is None, "no server"
            time.sleep(0.5)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)


@pytest.fixture
def doomed_server(tmp_path: Path) -> Iterator[DoomedServer]:
    """A Prefect server of this test's own (the test kills it)."""
    server = DoomedServer(tmp_path / "server-home", free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


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


def test_the_server_killed_mid_run_stores_what_was_fetched_and_ends_in_one_line(
    doomed_server: DoomedServer, tmp_path: Path
) -> None:
    with running_replica(seed=9, generated=90) as replica:
        articles = replica_articles(replica.base_url)
        truth = {a["url"] for a in articles}
        days = sorted(a["published_at"][:10] for a in articles)
        run = start_backfill(doomed_server.api, tmp_path, replica.base_url, days)
        wait_until_stored(run, tmp_path, 20)
        doomed_server.kill()
        killed_at = time.monotonic()
        _, errors = run.communicate(timeout=120)
        took = time.monotonic() - killed_at
        lines = [line for line in errors.splitlines() if line.strip()]
        assert took < 60, took
        assert run.returncode == 1, errors[-3000:]
        assert len(lines) == 1 and lines[0].startswith("error: the Prefect server"), lines
        before = stored(tmp_path)
        kept = f"what was stored is kept ({len(before):,} articles stored by this run)"
        assert doomed_server.api in lines[0] and kept in lines[0], lines
        assert str(tmp_path / "logs" / "unn-ingest.log") in lines[0]
        assert session_processes(run.pid) == set(), "processes outlived the command"
        archived = {page.requested_url for page in read_archive(tmp_path / "warc")} & truth
        assert len(archived) > len(before) / 2, "the run fetched before the server went"
        assert archived - set(before) == set(), "fetched before the loss, not stored"

        doomed_server.start()  # the server back, with the lost run in its database
        warc_files = set((tmp_path / "warc").iterdir())
        again = start_backfill(doomed_server.api, tmp_path, replica.base_url, days)
        out, errors = again.communicate(timeout=600)
        assert again.returncode == 0, errors[-3000:]
        refetched = {
            page.requested_url
            for page in read_archive(tmp_path / "warc")
            if page.ref.split(":")[0] not in {f.name for f in warc_files}
        }
        runs = flow_runs(doomed_server.api)
    urls = stored(tmp_path)
    assert len(urls) == len(set(urls)) and truth <= set(urls)
    assert refetched & archived == set(), "the rerun fetched again what the first run fetched"
    assert '"waiting": 0' in out
    lost = [r for r in runs if r["state_type"] != "COMPLETED"]
    assert [r["state_type"] for r in lost] == ["CRASHED"], runs
    assert f"({len(before):,} articles)" in lost[0]["state"]["message"]


def replica_articles(base_url: str) -> list[dict[str, Any]]:
    articles: list[dict[str, Any]] = httpx.get(base_url + "/__truth__").json()["articles"]
    return articles


def wait_until_stored(run: subprocess.Popen[str], data_dir: Path, count: int) -> None:
    deadline = time.monotonic() + 240
    while len(stored(data_dir)) < count:
        assert time.monotonic() < deadline and run.poll() is None, "never got going"
        time.sleep(0.2)


def session_processes(sid: int, wait: float = 10.0) -> set[int]:
    """Return the live processes of a session once they have had `wait` s to end."""
    deadline = time.monotonic() + wait
    while True:
        alive = {p.pid for p in processes() if p.session == sid and p.alive}
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def flow_runs(api: str) -> list[dict[str, Any]]:
    with api_client(api) as client:
        runs: list[dict[str, Any]] = client.post("/flow_runs/filter", json={}).json()
    return runs


def test_ctrl_c_ends_the_command_within_ten_seconds_while_the_server_is_gone(
    doomed_server: DoomedServer, tmp_path: Path
) -> None:
    with running_replica(seed=9, generated=90) as replica:
        days = sorted(a["published_at"][:10] for a in replica_articles(replica.base_url))
        run = start_backfill(doomed_server.api, tmp_path, replica.base_url, days)
        wait_until_stored(run, tmp_path, 20)
        doomed_server.kill()
        time.sleep(2)  # the run is now waiting on a server that is gone
        os.killpg(run.pid, signal.SIGINT)
        interrupted_at = time.monotonic()
        _, errors = run.communicate(timeout=60)
        took = time.monotonic() - interrupted_at
    assert took < 10, (took, errors[-3000:])
    lines = [line for line in errors.splitlines() if line.strip()]
    assert len(lines) == 1, lines  # the lost server's line (or, on a busy machine, the stop's)
    assert (run.returncode, lines[0].split(":")[0]) in {(1, "error"), (130, "interrupted")}
    assert "what was stored is kept" in lines[0] or "is stored" in lines[0], lines
