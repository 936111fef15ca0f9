"""A Prefect topology on loopback, as on several machines: a Prefect server on PostgreSQL, the
process work pool `unn-ingest`, the deployments of `prefect.yaml`, and N workers.

Used by the two-worker test (tests/flows/test_split_topology.py) and the split benchmark
(`python -m bench.split`). Everything it starts is stopped, and the Prefect database it
created in the local PostgreSQL dropped, when the context ends.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy import create_engine, make_url, text

REPO = Path(__file__).resolve().parents[1]
POOL = "unn-ingest"
SUBMITTED = re.compile(r"Worker '([^']+)' submitting flow run '([0-9a-f-]{36})'")


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Topology:
    """A running server and its workers; `env` is what a client of the server needs."""

    api: str
    env: dict[str, str]
    worker_logs: dict[str, Path] = field(default_factory=dict)

    def prefect(self, *args: str, timeout: float = 180) -> str:
        """Run a `prefect` command against the server; return its output, failing loudly."""
        done = subprocess.run(
            [sys.executable, "-m", "prefect", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"prefect {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        return done.stdout

    def submitted_by_worker(self) -> dict[str, set[str]]:
        """Return, per worker name, the ids of the flow runs it submitted (from its log)."""
        found: dict[str, set[str]] = {name: set() for name in self.worker_logs}
        for log in self.worker_logs.values():
            for name, run_id in SUBMITTED.findall(log.read_text(errors="replace")):
                found.setdefault(name, set()).add(run_id)
        return found

    def count(self, what: str, body: dict[str, object] | None = None) -> int:
        """Count flow runs or task runs on the server (`what`: flow_runs, task_runs)."""
        reply = httpx.post(f"{self.api}/{what}/count", json=body or {}, timeout=30)
        reply.raise_for_status()
        return int(reply.json())


@contextmanager
def prefect_database(pg_url: str) -> Iterator[str]:
    """Create a database of its own in the local PostgreSQL; yield its asyncpg URL; drop it."""
    name = f"unn_prefect_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(pg_url).set(drivername="postgresql+asyncpg", database=name, query={})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def prefect_topology(
    workdir: Path,
    pg_url: str,
    worker_env: dict[str, str],
    workers: int = 2,
    deployments: Sequence[str] = ("backfill-part",),
) -> Iterator[Topology]:
    """Start a Prefect server on PostgreSQL, the pool, the deployments and the workers."""
    with ExitStack() as stack:
        database = stack.enter_context(prefect_database(pg_url))
        port = free_port()
        api = f"http://127.0.0.1:{port}/api"
        env = _prefect_env(workdir, api)
        server_env = {**env, "PREFECT_API_DATABASE_CONNECTION_URL": database}
        server_env.pop("PREFECT_API_URL")
        server = ["server", "start", "--host", "127.0.0.1", "--port", str(port)]
        stack.enter_context(_process(server, server_env, workdir / "server.log"))
        _wait_healthy(api, workdir / "server.log")
        topology = Topology(api, env)
        topology.prefect("work-pool", "create", POOL, "--type", "process")
        for name in deployments:
            topology.prefect("--no-prompt", "deploy", "--name", name)
        for n in range(workers):
            name = f"worker-{chr(ord('a') + n)}"
            log = workdir / f"{name}.log"
            command = ["worker", "start", "--pool", POOL, "--name", name, "--limit", "1"]
            stack.enter_context(_process(command, {**env, **worker_env}, log))
            topology.worker_logs[name] = log
        yield topology


def _prefect_env(workdir: Path, api: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return env | {
        "PREFECT_HOME": str(workdir / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_LOGGING_LEVEL": "INFO",  # workers log which flow runs they submit
        "UNN_INGEST_HOME": str(REPO),  # prefect.yaml's pull step: the project folder
    }


@contextmanager
def _process(args: list[str], env: dict[str, str], log_path: Path) -> Iterator[None]:
    log: IO[bytes] = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", *args],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its flow-run children are stopped with it
    )
    try:
        yield
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(timeout=30)


def _wait_healthy(api: str, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(api + "/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the Prefect server did not start: {log.read_text()[-2000:]}")
