"""Every field a page shows reaches the store, in `run` and in `backfill`, on both layouts.

A backfill sees no feed, so its rubrics must come from the pages themselves (before this, only
articles first seen in a feed had one). The run's summary says how complete each field is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from unn_ingest.flows.ingest import backfill, ingest
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

KYIV = ZoneInfo("Europe/Kyiv")
TARGET = 0.99  # the target for rubric, authors and lead image
CHECKS: dict[str, Callable[[dict[str, Any], dict[str, Any]], bool]] = {
    "rubric": lambda row, t: row["rubric"] == t["rubric"],
    "rubric_key": lambda row, t: row["rubric_key"] == t["rubric_key"],
    "authors": lambda row, t: row["authors"] == [t["author"]],
    "image": lambda row, t: row["image_url"] == t["image"]["url"],
    "image_caption": lambda row, t: (
        (row["image_caption"], row["image_credit"]) == (t["image"]["caption"], t["image"]["credit"])
    ),
    "tags": lambda row, t: row["tags"] == t["tags"],
    "sections": lambda row, t: row["sections"] == t["sections"],
}


@pytest.fixture(params=["a", "b"])
def replica(request: pytest.FixtureRequest) -> Iterator[ReplicaServer]:
    with running_replica(seed=3, generated=40, layout=request.param) as server:
        yield server


def exactness(server: ReplicaServer, data_dir: Path) -> tuple[dict[str, float], int]:
    """Return each field's share of stored articles equal to the truth, and how many."""
    truth = {a["url"]: a for a in httpx.get(server.base_url + "/__truth__").json()["articles"]}
    with Store.open(f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}") as store:
        rows = list(store.iter_export(None, None))
    assert rows
    shares = {
        name: sum(check(row, truth[row["url"]]) for row in rows) / len(rows)
        for name, check in CHECKS.items()
    }
    return shares, len(rows)


def test_a_backfill_stores_every_field_the_pages_show(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    articles = httpx.get(replica.base_url + "/__truth__").json()["articles"]
    first = min(datetime.fromisoformat(a["published_at"]) for a in articles)
    start, end = first.astimezone(KYIV).date(), replica.site.now().astimezone(KYIV).date()
    summary = asyncio.run(
        backfill(start, end, None, replica.base_url, None, str(fast_site_settings))
    )
    shares, stored = exactness(replica, fast_site_settings)
    assert stored == len(articles)
    assert all(share >= TARGET for share in shares.values()), shares
    completeness: dict[str, Any] = summary["completeness"]  # type: ignore[assignment]
    assert set(completeness) == {"uk", "en", "ru"}
    for edition in completeness.values():
        assert edition["shares"]["rubric"] == edition["shares"]["authors"] == 1.0
    drift: dict[str, Any] = summary["drift"]  # type: ignore[assignment]
    assert drift["fields_below"] == []


def test_a_run_stores_every_field_the_pages_show(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    summary = asyncio.run(ingest(None, replica.base_url, None, str(fast_site_settings)))
    shares, stored = exactness(replica, fast_site_settings)
    assert stored > 50
    assert all(share >= TARGET for share in shares.values()), shares
    completeness: dict[str, Any] = summary["completeness"]  # type: ignore[assignment]
    assert sum(e["articles"] for e in completeness.values()) == stored
