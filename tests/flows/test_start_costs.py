"""What a run with nothing new spends after Prefect's local server is released: the server
builds its app once (no logging set up again per call), and the run's parameters are recorded
without importing FastAPI (in the command's process, only Prefect's server needs it)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from prefect import Flow

from unn_ingest.flows.ingest import backfill, ingest

REUSED = """
import prefect.logging.configuration as configuration
from unn_ingest.flows.cli import server_child
from prefect.server.api import server

server_child.prepare_app()
calls = []
setup = configuration.setup_logging
configuration.setup_logging = lambda *a, **k: (calls.append(1), setup(*a, **k))[1]
apps = {id(server.create_app()) for _ in range(3)}  # uvicorn's factory, Prefect's clients
print(len(apps), len(calls), server.create_app(ignore_cache=True) is not server.create_app())
"""

PARAMETERS = """
import sys
from datetime import date
from unn_ingest.flows.ingest import backfill
print(backfill.serialize_parameters({"date_from": date(2025, 11, 1), "editions": ["uk"]}))
print("fastapi" in sys.modules)
"""


def python(code: str, env: dict[str, str] | None = None) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split("\n")


def test_the_server_builds_its_app_once_and_sets_up_logging_once(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PREFECT_HOME": str(tmp_path), "HOME": str(tmp_path)}
    env |= {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
    env |= {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    # One app for every call without arguments, no logging set up again; a call that asks
    # for a new app still gets one.
    assert python(REUSED, env)[0] == "1 0 True"


def test_recording_a_runs_parameters_imports_no_fastapi() -> None:
    lines = python(PARAMETERS)
    assert lines[:2] == ["{'date_from': '2025-11-01', 'editions': ['uk']}", "False"]


@pytest.mark.parametrize(
    "parameters",
    [
        {"editions": ["uk", "en"], "origin": "http://127.0.0.1:1", "db_url": None},
        {"editions": ("ru",), "data_dir": "/tmp/x", "db_url": "sqlite:///tmp/a.sqlite3"},
        {"date_from": date(2025, 11, 1), "date_to": date(2025, 11, 7), "refetch": True},
        {"editions": None, "refetch": False, "origin": None},
    ],
)
def test_the_flows_parameters_are_recorded_as_prefects_encoder_records_them(
    parameters: dict[str, object],
) -> None:
    for flow in (ingest, backfill):
        assert flow.serialize_parameters(parameters) == Flow.serialize_parameters(flow, parameters)


def test_a_recorded_database_url_keeps_no_password() -> None:
    url = "postgresql+psycopg://unn:s3cr3t@127.0.0.1:5432/unn"
    recorded = ingest.serialize_parameters({"db_url": url, "editions": ["uk"]})
    assert "s3cr3t" not in recorded["db_url"] and recorded["editions"] == ["uk"]
    odd = {"db_url": url, "editions": {"uk"}}  # not a type the flows take: Prefect's encoder
    assert "s3cr3t" not in backfill.serialize_parameters(odd)["db_url"]
