"""Fixtures shared by every test folder: the Prefect harness and the local replica."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")  # as the CLI sets it

PG_URL = os.environ.get(
    "UNN_INGEST_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_DATA = "UNN_INGEST_REQUIRE_DATA"  # set by .ci/run: missing real data fails the run
_not_run: list[str] = []


SLOW_FIXTURES = frozenset({"prefect_harness"})  # a test that runs flows is in the slow tier


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark flow-running tests slow; deselect `needs_data` tests when the data is absent."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    _deselect_without_data(config, items)


def _deselect_without_data(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests marked `needs_data` when the real data is absent (fail under CI)."""
    from unn_ingest.flows.evaluation.datasets import DATA_SETTING, data_dir

    folder = data_dir()
    if folder.is_dir():
        return
    if os.environ.get(REQUIRE_DATA):
        raise pytest.UsageError(f"the real data is missing at {folder} and {REQUIRE_DATA} is set")
    needing = [item for item in items if item.get_closest_marker("needs_data")]
    if not needing:
        return
    config.hook.pytest_deselected(items=needing)
    items[:] = [item for item in items if not item.get_closest_marker("needs_data")]
    _not_run.append(
        f"not run: {len(needing)} tests that need the real data ({folder} is missing); "
        f"put shared/ beside the checkout or set {DATA_SETTING} (README: Development, Tests)"
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say once, at the end, which tests were deselected for lack of data."""
    for line in _not_run:
        terminalreporter.write_line(line, yellow=True, bold=True)


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


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """Connect to the test PostgreSQL server, failing (not skipping) when it is unreachable."""
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    problem = None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:
        problem = str(getattr(error, "orig", error)).splitlines()[0]
    if problem is not None:
        engine.dispose()
        where = make_url(PG_URL).render_as_string(hide_password=True)
        message = f"PostgreSQL for the storage tests is unreachable at {where}: {problem}"
        pytest.fail(
            f"{message} (set UNN_INGEST_TEST_PG_URL or deselect with -m 'not postgres')",
            pytrace=False,
        )
    yield engine
    engine.dispose()


@pytest.fixture
def pg_schema_url(pg_admin: Engine) -> Iterator[str]:
    """Yield the URL of a fresh PostgreSQL schema of its own, dropped afterwards."""
    schema = f"unn_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
