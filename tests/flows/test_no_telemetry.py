"""Nothing reaches any host but the site's: a run, as a command and as a library call, with
Prefect's local server, opens no connection and resolves no name off this machine.

Every Python process of the run (the command, Prefect's server, the workers) loads a
`sitecustomize` that records, and refuses, any name lookup or connection that is not loopback,
and records at its exit whether Prefect's telemetry was on in it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from unn_ingest.replica.testing import running_replica

pytestmark = [pytest.mark.slow, pytest.mark.server]

GUARD = """
import ipaddress, os, socket

_LOG = os.environ["UNN_INGEST_TEST_OFFSITE_LOG"]
_LOOPBACK_NAMES = {"localhost", "", None}


def _offsite(host):
    if isinstance(host, bytes):
        host = host.decode()
    if host in _LOOPBACK_NAMES:
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name to resolve: off this machine


def _refuse(host):
    with open(_LOG, "a") as log:
        log.write(f"{os.getpid()} {host}\\n")
    raise OSError(f"test: no traffic off this machine ({host})")


_getaddrinfo, _connect = socket.getaddrinfo, socket.socket.connect


def getaddrinfo(host, *args, **kwargs):
    if _offsite(host):
        _refuse(host)
    return _getaddrinfo(host, *args, **kwargs)


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and _offsite(address[0]):
        _refuse(address[0])
    return _connect(self, address)


socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect


def _telemetry_report():
    # At exit, record whether Prefect's telemetry was on in this process (a short run may end
    # before Prefect's first report is due).
    import sys

    if "prefect" not in sys.modules:
        return
    try:
        from prefect._internal.analytics import is_telemetry_enabled
        from prefect.settings import get_current_settings

        server = get_current_settings().server.analytics_enabled
        on = [n for n, v in (("client", is_telemetry_enabled()), ("server", server)) if v]
    except Exception as exc:
        on = [f"unknown ({exc})"]
    if on:
        with open(_LOG, "a") as log:
            log.write(f"{os.getpid()} Prefect telemetry on: {on}\\n")


import atexit

atexit.register(_telemetry_report)
"""

LIBRARY_CALL = """
import asyncio, sys
from unn_ingest.flows.ingest import ingest
asyncio.run(ingest(None, sys.argv[1], None, sys.argv[2]))
"""


def guarded_env(tmp_path: Path) -> dict[str, str]:
    """Return a newcomer's environment (no Prefect setting, no telemetry opt-out, a fresh
    home) with the guard."""
    (tmp_path / "guard").mkdir()
    (tmp_path / "guard" / "sitecustomize.py").write_text(GUARD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.pop("DO_NOT_TRACK", None)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(tmp_path / "guard"), env.get("PYTHONPATH")])
    )
    env["UNN_INGEST_TEST_OFFSITE_LOG"] = str(tmp_path / "offsite.log")
    (tmp_path / "home").mkdir()
    env["HOME"] = str(tmp_path / "home")  # a newcomer's: no ~/.prefect yet
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "600"  # Prefect's own, loaded
    return env


@pytest.mark.parametrize("how", ["command", "library-call"])
def test_a_run_contacts_no_host_but_the_sites(tmp_path: Path, how: str) -> None:
    env = guarded_env(tmp_path)
    data_dir = str(tmp_path / "data")
    with running_replica(seed=3, generated=10) as replica:
        if how == "command":
            command = [sys.executable, "-m", "unn_ingest", "run", "--origin", replica.base_url]
            command += ["--data-dir", data_dir, "--json"]
        else:
            command = [sys.executable, "-c", LIBRARY_CALL, replica.base_url, data_dir]
        done = subprocess.run(
            command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Error in sitecustomize" not in done.stderr, done.stderr[-3000:]  # the guard is on
    offsite = tmp_path / "offsite.log"
    assert not offsite.exists(), offsite.read_text()
    assert "telemetry" not in done.stderr.lower()
    if how == "command":  # at once, and Prefect's state in the data directory, not in ~/.prefect
        assert done.stderr.startswith("starting Prefect's local server"), done.stderr[:500]
        assert (tmp_path / "data" / "prefect" / "prefect.db").is_file()
        assert not (tmp_path / "home" / ".prefect" / "prefect.db").exists()
