"""A real Prefect server on loopback: run `ingest` through it, read back what the UI shows."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from replica.testing import running_replica

pytestmark = pytest.mark.server


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
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_api,
        "UNN_INGEST_REQUESTS_PER_SECOND": "0",
        "UNN_INGEST_DATA_DIR": str(tmp_path),
    }
    with running_replica(seed=5, generated=20) as replica:
        done = subprocess.run(
            [sys.executable, "-m", "flows", "run", "--origin", replica.base_url, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    with httpx.Client(base_url=prefect_api, timeout=30) as api:
        runs = api.post("/flow_runs/filter", json={}).json()
        assert [r["state_type"] for r in runs] == ["COMPLETED"]
        run_id = runs[0]["id"]
        task_runs = api.post(
            "/task_runs/filter", json={"flow_runs": {"id": {"any_": [run_id]}}}
        ).json()
        names = {t["name"].rsplit("-", 1)[0] for t in task_runs}
        assert {"discover-latest", "select-work", "process-batch", "link-by-content"} <= names
        assert all(t["state_type"] == "COMPLETED" for t in task_runs)
        artifacts = api.post(
            "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run_id]}}}
        ).json()
        by_key = {a["key"]: a for a in artifacts}
        assert {"ingest-summary", "ingest-failures"} <= set(by_key)
        table = by_key["ingest-summary"]["data"]
        rows = table if isinstance(table, list) else __import__("json").loads(table)
        total = next(r for r in rows if r["edition"] == "total")
        assert total["new"] > 0 and total["failed"] == 0
