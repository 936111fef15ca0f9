"""Bad input against the replica: damaged listing pages, a hostile feed, a bad field.

Every test checks that what could be reached is stored, and that what could not is reported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from typer.testing import CliRunner

from unn_ingest.config import load_profile
from unn_ingest.extractors.discovery import parse_feed
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.flows.cli.app import app
from unn_ingest.flows.ingest import backfill, ingest
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

KYIV = ZoneInfo("Europe/Kyiv")
PAGE = "/news?page=3"  # of 6 uk listing pages: one in the middle of the range


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    with running_replica(seed=3, generated=100) as server:
        yield server


def uk_truth(server: ReplicaServer) -> dict[str, datetime]:
    articles = httpx.get(server.base_url + "/__truth__").json()["articles"]
    return {
        a["url"]: datetime.fromisoformat(a["published_at"])
        for a in articles
        if a["edition"] == "uk"
    }


def window(server: ReplicaServer, truth: dict[str, datetime]) -> tuple[date, date]:
    first = min(truth.values()).astimezone(KYIV).date()
    return first, server.site.now().astimezone(KYIV).date()


def newest_uk(server: ReplicaServer) -> str:
    """Return the newest uk article: the one a feed surely lists."""
    truth = uk_truth(server)
    return max(truth, key=lambda url: truth[url])


def db_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}"


def stored(data_dir: Path) -> dict[str, dict[str, Any]]:
    with Store.open(db_url(data_dir)) as store:
        return {r["url"]: r for r in store.iter_export(None, None)}


def backfill_uk(server: ReplicaServer, data_dir: Path) -> dict[str, Any]:
    start, end = window(server, uk_truth(server))
    return asyncio.run(backfill(start, end, ["uk"], server.base_url, None, str(data_dir)))


def test_listing_pages_damaged_once_are_read_again_and_nothing_is_lost(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    replica.site.force_fault(PAGE, "truncated", times=1)
    # Read with page 3 in one request group: it looks like the end until page 3 is whole.
    replica.site.force_fault("/news?page=4", "empty-listing", times=1)
    summary = backfill_uk(replica, fast_site_settings)
    assert summary["unread_pages"] == []
    assert set(uk_truth(replica)) <= set(stored(fast_site_settings))
    assert replica.site.faults.forced() == {}  # the damaged read did happen


@pytest.mark.parametrize("fault", ["503", "truncated", "empty-listing"])
def test_a_listing_page_that_stays_damaged_is_reported_and_a_later_run_fills_the_gap(
    replica: ReplicaServer, fast_site_settings: Path, fault: str
) -> None:
    replica.site.force_fault(PAGE, fault)  # until cleared
    first = backfill_uk(replica, fast_site_settings)
    [unread] = first["unread_pages"]
    assert (unread["edition"], unread["page"], unread["url"]) == ("uk", 3, replica.base_url + PAGE)
    assert any(f["stage"] == "listing" and f["url"].endswith(PAGE) for f in first["failures"])
    newer, older = (datetime.fromisoformat(unread[k]) for k in ("newer_than", "older_than"))
    truth = uk_truth(replica)
    missing = set(truth) - set(stored(fast_site_settings))
    assert missing, "the damaged page's items should be missing after the first run"
    assert all(newer <= truth[u] <= older for u in missing)  # only the reported span is lost
    with Store.open(db_url(fast_site_settings)) as store:
        [state] = store.fetch_states([replica.base_url + PAGE]).values()
    assert state.attempts >= 1 and state.last_error  # the fetch log holds the failure too
    assert state.last_error == ("HTTP 503" if fault == "503" else f"listing: {unread['reason']}")

    replica.site.force_fault(PAGE, None)
    second = backfill_uk(replica, fast_site_settings)
    assert second["unread_pages"] == []
    assert set(truth) <= set(stored(fast_site_settings))


def test_a_backfill_with_unread_pages_exits_3(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    replica.site.force_fault(PAGE, "503")
    start, end = window(replica, uk_truth(replica))
    args = ["backfill", "--from", str(start), "--to", str(end), "--edition", "uk", "--json"]
    result = CliRunner().invoke(app, [*args, "--origin", replica.base_url])
    assert result.exit_code == 3, result.output
    assert "listing pages could not be read" in result.output


def test_a_hostile_feed_gives_its_readable_items_and_the_run_goes_on(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    feed = "/rss/news_en.xml"
    replica.site.force_fault(feed, "hostile-feed")
    summary: dict[str, Any] = asyncio.run(
        ingest(None, replica.base_url, None, str(fast_site_settings))
    )
    rows = stored(fast_site_settings)
    body = httpx.get(replica.base_url + feed).content
    profile = load_profile(origin=replica.base_url)
    url = replica.base_url + feed
    listed = parse_feed(FetchedPage(url, url, 200, {}, body, datetime.now()), profile).items
    assert listed and {i.url for i in listed} <= set(rows)
    assert {r["edition"] for r in rows.values()} == {"uk", "en", "ru"}
    [failure] = [f for f in summary["failures"] if f["url"].endswith(feed)]
    assert failure["stage"] == "feed" and failure["reason"].startswith("malformed feed")


def test_a_bad_image_url_stores_the_article_with_the_image_the_page_shows(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    target = newest_uk(replica)
    replica.site.force_fault(target[len(replica.base_url) :], "bad-og-image")
    summary: dict[str, Any] = asyncio.run(
        ingest(None, replica.base_url, None, str(fast_site_settings))
    )
    rows = stored(fast_site_settings)
    # The bad og:image is dropped; the image the page itself shows after the headline stands.
    assert target in rows and str(rows[target]["image_url"]).startswith(replica.base_url + "/img/")
    others = [r for u, r in rows.items() if u != target]
    assert others and all(r["image_url"] for r in others)
    assert not [f for f in summary["failures"] if f["url"] == target]


def test_an_extraction_failure_is_in_the_fetch_log_with_its_stage(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    target = newest_uk(replica)
    replica.site.force_fault(target[len(replica.base_url) :], "truncated")
    summary: dict[str, Any] = asyncio.run(
        ingest(None, replica.base_url, None, str(fast_site_settings))
    )
    assert target not in stored(fast_site_settings)
    [failure] = [f for f in summary["failures"] if f["url"] == target]
    assert failure["stage"] == "extract"
    with Store.open(db_url(fast_site_settings)) as store:
        [state] = store.fetch_states([target]).values()
    assert (state.status, state.attempts) == (200, 1)
    assert state.last_error == f"extract: {failure['reason']}"
