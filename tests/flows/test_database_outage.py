"""A database that goes away for a few seconds mid-run does not fail the run: its connections
are terminated (pg_terminate_backend) and new ones refused for 3 s, and the store's
transactions are run again with backoff until it is back."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import Engine, event, make_url, text

from unn_ingest.flows.ingest import backfill
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]
OUTAGE_SECONDS = 3.0


class Outage:
    """Refuse new connections while on; count the refusals."""

    def __init__(self) -> None:
        self.on = threading.Event()
        self.refused = 0

    def __call__(self, *_: Any) -> None:
        if self.on.is_set():
            self.refused += 1
            raise psycopg.OperationalError("connection refused (a test outage)")


@pytest.fixture
def outage() -> Iterator[Outage]:
    refuse = Outage()
    event.listen(Engine, "do_connect", refuse)
    try:
        yield refuse
    finally:
        event.remove(Engine, "do_connect", refuse)


def test_connections_dropped_for_seconds_mid_run_the_run_completes(
    fast_site_settings: Path,
    pg_schema_url: str,
    pg_admin: Engine,
    outage: Outage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = f"unn-outage-{uuid.uuid4().hex[:8]}"
    url = make_url(pg_schema_url).update_query_dict({"application_name": app})
    db_url = url.render_as_string(hide_password=False)
    real = Store.upsert_articles
    calls = {"n": 0}

    def drop_then_store(store: Store, inputs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:  # mid-run: every connection of this run dropped, none for 3 s
            outage.on.set()
            with pg_admin.connect() as conn:
                query = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                conn.execute(text(query + "WHERE application_name = :app"), {"app": app})
            threading.Timer(OUTAGE_SECONDS, outage.on.clear).start()
        return real(store, inputs)

    monkeypatch.setattr(Store, "upsert_articles", drop_then_store)
    with running_replica(seed=4, generated=30) as replica:
        truth = httpx.get(replica.base_url + "/__truth__").json()["articles"]
        days = sorted(a["published_at"][:10] for a in truth)
        start = time.monotonic()
        summary: dict[str, Any] = asyncio.run(
            backfill(*(date_of(days[0]), date_of(days[-1])), None, replica.base_url, db_url, None)
        )
    assert outage.refused > 0 and calls["n"] > 2, "the outage happened mid-run"
    assert time.monotonic() - start > OUTAGE_SECONDS
    assert summary["editions"]["total"]["failed"] == 0
    with Store.open(pg_schema_url) as store:
        urls = [r["url"] for r in store.iter_export(None, None)]
        assert store.link_debt_count() == 0
    assert len(urls) == len(set(urls)) and {a["url"] for a in truth} <= set(urls)


def date_of(day: str) -> Any:
    from datetime import date

    return date.fromisoformat(day)
