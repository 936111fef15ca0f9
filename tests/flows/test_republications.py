"""Republications are marked as duplicates whichever of copy and original is stored first."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from unn_ingest.flows.ingest import backfill
from unn_ingest.replica.catalogue import build_catalogue
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

KYIV = ZoneInfo("Europe/Kyiv")


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    with running_replica(seed=3, generated=40) as server:
        yield server


def _truth(server: ReplicaServer) -> list[dict[str, Any]]:
    articles: list[dict[str, Any]] = httpx.get(server.base_url + "/__truth__").json()["articles"]
    return articles


def _day(article: dict[str, Any]) -> date:
    return datetime.fromisoformat(article["published_at"]).astimezone(KYIV).date()


def _copy_days(articles: list[dict[str, Any]]) -> tuple[date, date]:
    """Return the Kyiv days of a hand-written original and of its republication."""
    by_url = {a["url"]: a for a in articles}
    copy = next(a for a in articles if a["handwritten"] and a["republication_of"])
    return _day(by_url[copy["republication_of"]]), _day(copy)


def _backfill(server: ReplicaServer, data_dir: Path, first: date, last: date) -> None:
    asyncio.run(backfill(first, last, None, server.base_url, None, str(data_dir)))


def _duplicates(data_dir: Path) -> dict[str, str | None]:
    with Store.open(f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}") as store:
        return {r["url"]: r["duplicate_of"] for r in store.iter_export(None, None)}


def _assert_exactly_the_republications(
    articles: list[dict[str, Any]], stored: dict[str, str | None], days: set[date]
) -> None:
    expected = {
        a["url"]: a["republication_of"]
        for a in articles
        if a["republication_of"] and a["republication_of"] in stored
    }
    assert expected, "the chosen days must hold a republication and its original"
    found = {url: original for url, original in stored.items() if original is not None}
    assert found == expected  # every copy found, and no false duplicate
    assert all(_day(a) in days for a in articles if a["url"] in expected)


@pytest.mark.parametrize("order", ["original-first", "copy-first", "one-backfill-newest-day-first"])
def test_a_republication_is_a_duplicate_in_any_arrival_order(
    replica: ReplicaServer, fast_site_settings: Path, order: str
) -> None:
    articles = _truth(replica)
    original_day, copy_day = _copy_days(articles)
    assert copy_day > original_day
    if order == "original-first":
        _backfill(replica, fast_site_settings, original_day, original_day)
        _backfill(replica, fast_site_settings, copy_day, copy_day)
    elif order == "copy-first":
        _backfill(replica, fast_site_settings, copy_day, copy_day)
        _backfill(replica, fast_site_settings, original_day, original_day)
    else:
        _backfill(replica, fast_site_settings, original_day, copy_day)
    _assert_exactly_the_republications(
        articles, _duplicates(fast_site_settings), {original_day, copy_day}
    )


def test_a_correction_refetched_after_its_copy_is_stored_is_no_duplicate(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    articles = _truth(replica)
    original_day, copy_day = _copy_days(articles)
    today = replica.site.now().astimezone(KYIV).date()
    _backfill(replica, fast_site_settings, copy_day, copy_day)
    _backfill(replica, fast_site_settings, original_day, today)
    now = replica.site.now()
    pending = [
        r.replaced_at
        for story in build_catalogue(seed=3, generated=40).stories
        if original_day <= story.published_at.astimezone(KYIV).date() <= today
        for text in story.editions.values()
        for r in text.revisions
        if r.replaced_at > now
    ]
    assert pending, "a stored article must be corrected later"
    replica.site.clock.advance(int((max(pending) - now).total_seconds()) + 60)
    refetch = True
    summary: dict[str, Any] = asyncio.run(
        backfill(
            original_day, today, None, replica.base_url, None, str(fast_site_settings), refetch
        )
    )
    assert summary["editions"]["total"]["updated"] >= 1  # the corrections, kept as revisions
    _assert_exactly_the_republications(
        _truth(replica), _duplicates(fast_site_settings), {original_day, copy_day}
    )
