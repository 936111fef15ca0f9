"""The `replica serve` command: help, argument errors, and a real start and clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
from typer.testing import CliRunner

from unn_ingest.replica.cli import replica_app

REPO = Path(__file__).resolve().parents[2]


def test_serve_help_lists_every_option() -> None:
    result = CliRunner().invoke(replica_app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--host", "--seed", "--stories", "--faults", "--start"):
        assert option in result.output


def test_unknown_fault_profile_is_one_clear_line() -> None:
    result = CliRunner().invoke(replica_app, ["serve", "--faults", "gremlins"])
    assert result.exit_code == 2
    assert "error: unknown fault 'gremlins'" in result.output


def test_serve_prints_the_url_serves_and_stops_cleanly_on_ctrl_c() -> None:
    command = [
        sys.executable,
        "-m",
        "unn_ingest.replica",
        "serve",
        "--port",
        "0",
        "--stories",
        "20",
    ]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        summary = process.stdout.readline()
        assert base_url.startswith("http://127.0.0.1:")
        assert "seed 1:" in summary and "faults: none" in summary
        assert httpx.get(f"{base_url}/robots.txt", timeout=10).status_code == 200
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "Traceback" not in errors
