"""Fixtures shared by every test folder: the Prefect harness and the local replica."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Run flows against a temporary Prefect server for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def fast_site_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the pipeline's settings at a temp data dir, with no pacing or revisit delay."""
    monkeypatch.setenv("UNN_INGEST_REQUESTS_PER_SECOND", "0")
    monkeypatch.setenv("UNN_INGEST_MAX_CONCURRENCY", "8")
    monkeypatch.setenv("UNN_INGEST_REVISIT_MIN_MINUTES", "0")
    monkeypatch.setenv("UNN_INGEST_REVISIT_AGE_FACTOR", "0")
    monkeypatch.setenv("UNN_INGEST_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("UNN_INGEST_DB_URL", raising=False)
    return tmp_path
