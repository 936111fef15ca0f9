"""Catch-up: after any pause, `ingest` reads each edition back to what the last run covered.

The runs here are the `ingest` steps without Prefect (catch up, select, process, settle)
against a replica on a socket (its faults and request counts are the server's), with the
pipeline's clock and the replica's moved together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from prefect import State

from unn_ingest.config import Settings, load_profile
from unn_ingest.extractors import clock
from unn_ingest.extractors.discovery import Discovery, parse_listing
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.freshness import CoverageGap, backfill_commands
from unn_ingest.flows.ingest import ingest
from unn_ingest.flows.outcome import final_state
from unn_ingest.flows.report import RunReport, UnreadPage
from unn_ingest.flows.runtime import open_run
from unn_ingest.flows.steps import batches, catchup
from unn_ingest.flows.steps.catchup import CatchUp
from unn_ingest.flows.steps.discover import ListingRead
from unn_ingest.flows.steps.gaps import fill_after_backfill, plan_backfills
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import GapRow, Store

EDITIONS = ["uk", "en", "ru"]
BUSY = 3000  # the replica: ~535 articles published in the 12 hours after 10:00Z
PAUSE = timedelta(hours=12)
HORIZON_DAYS = 0.1  # 2.4 hours: a 12-hour pause is past it
HORIZON = timedelta(days=HORIZON_DAYS)
FAULTED = 7  # a uk listing page beyond what the feed (100 items) shows after 12 hours


@pytest.fixture(scope="module")
def busy_server() -> Iterator[ReplicaServer]:
    with running_replica(generated=BUSY) as server:
        yield server


@pytest.fixture
def busy(busy_server: ReplicaServer) -> Iterator[ReplicaServer]:
    """The busy replica at 2025-11-20 10:00Z, the pipeline's clock with it; reset afterwards."""
    site = busy_server.site
    start = site.clock.now()
    with clock.use_clock(clock.FixedClock(start)):
        yield busy_server
    site.clock.set(start)
    site.faults.clear()


def settings_for(server: ReplicaServer, data_dir: Path, **more: Any) -> Settings:
    return Settings(
        origin=server.base_url,
        data_dir=data_dir,
        workers=1,
        archive=False,
        requests_per_second=0,
        **more,
    )


def ingest_once(settings: Settings) -> tuple[dict[str, Any], list[CatchUp]]:
    """Run the steps of `ingest` as its flow does, without Prefect; return summary, catch-ups."""
    with open_run(settings) as ctx:
        caught = [catchup.catch_up(ctx, ed) for ed in EDITIONS]
        items = [item for c in caught for item in c.items]
        requests = batches.select_requests(ctx, items, True, EDITIONS)
        for chunk in batches.chunked(requests, ctx.batch_size):
            batches.process_batch(ctx, chunk)
        catchup.settle(ctx, caught)
        return ctx.report.summary() | {"message": _message(ctx)}, caught


def _message(ctx: RunContext) -> str:
    return str(final_state(ctx.report, ctx.profile.origin).message)


def advance(server: ReplicaServer, span: timedelta) -> datetime:
    """Move the replica's clock and the pipeline's together; return the new time."""
    current = clock.current_clock()
    assert isinstance(current, clock.FixedClock)
    current.advance(span)
    return server.site.clock.advance(span.total_seconds())


def published_between(server: ReplicaServer, start: datetime, end: datetime) -> set[str]:
    articles = server.site.truth()["articles"]
    return {a["url"] for a in articles if start < datetime.fromisoformat(a["published_at"]) <= end}


def stored_urls(settings: Settings) -> set[str]:
    with Store.open(settings.database_url()) as store:
        return {row["url"] for row in store.iter_export(None, None)}


def watermarks(settings: Settings) -> dict[str, datetime]:
    with Store.open(settings.database_url()) as store:
        return store.watermarks()


def requests_made(server: ReplicaServer) -> int:
    return int(server.site.stats.as_dict()["total"])


def test_after_a_12_hour_pause_every_article_of_the_window_is_stored(
    busy: ReplicaServer, tmp_path: Path
) -> None:
    settings = settings_for(busy, tmp_path)
    ingest_once(settings)
    start = busy.site.clock.now()
    end = advance(busy, PAUSE)
    window = published_between(busy, start, end)
    assert len(window) > 400  # a busy half-day, as in the issue (535 articles)
    before = requests_made(busy)
    summary, caught = ingest_once(settings)
    missing = window - stored_urls(settings)
    assert not missing, f"{len(missing)} of {len(window)} not stored, e.g. {sorted(missing)[:3]}"
    assert summary["gaps"] == [] and summary["message"].startswith("completed: ")
    assert all(c.pages > 1 for c in caught)  # deeper than the first listing page
    assert requests_made(busy) - before < 2 * len(window)  # listings and pages, no wandering
    assert all(watermarks(settings)[ed] > end - timedelta(hours=1) for ed in EDITIONS)
    fresh = summary["freshness"]
    assert sum(fresh[ed]["new"] for ed in EDITIONS) >= len(window)
    assert all(fresh[ed]["missing"] == 0 for ed in EDITIONS)
    assert all(0 <= fresh[ed]["p50"] <= fresh[ed]["p95"] <= fresh[ed]["max"] for ed in EDITIONS)
    assert max(fresh[ed]["max"] for ed in EDITIONS) > 11 * 60  # stored 12 hours late, at worst
    advance(busy, timedelta(minutes=10))  # back on schedule: the feeds reach the watermarks
    before = busy.site.stats.as_dict()["requests"]
    _, quiet = ingest_once(settings)
    assert [c.pages for c in quiet] == [0, 0, 0]
    after = busy.site.stats.as_dict()["requests"]
    assert after.get("listing", 0) == before.get("listing", 0)
    assert after["feed"] - before["feed"] == 3


def test_a_feed_that_fails_on_schedule_sends_the_walk_to_the_listing(
    busy: ReplicaServer, tmp_path: Path
) -> None:
    settings = settings_for(busy, tmp_path)
    ingest_once(settings)
    start = busy.site.clock.now()
    end = advance(busy, timedelta(minutes=30))
    busy.site.force_fault("/rss/news_uk.xml", "503")
    summary, caught = ingest_once(settings)
    busy.site.faults.clear()
    assert [c.pages >= 1 for c in caught] == [True, False, False]
    assert any(f["url"].endswith("/rss/news_uk.xml") for f in summary["failures"])
    assert published_between(busy, start, end) <= stored_urls(settings)


def test_a_pause_longer_than_the_horizon_records_a_gap_and_the_command(
    busy: ReplicaServer, tmp_path: Path
) -> None:
    settings = settings_for(busy, tmp_path, catchup_horizon_days=HORIZON_DAYS)
    ingest_once(settings)
    covered = watermarks(settings)
    end = advance(busy, PAUSE)
    summary, caught = ingest_once(settings)
    with Store.open(settings.database_url()) as store:
        gaps = {g.edition: g for g in store.gaps()}
    assert set(gaps) == set(EDITIONS)
    for ed in EDITIONS:
        gap = gaps[ed]
        assert gap.gap_from == covered[ed]  # from what the last run covered...
        assert end - PAUSE < gap.gap_to < end - HORIZON  # ...to the page past the horizon
    days = {(_kyiv_day(g.gap_from), _kyiv_day(g.gap_to)) for g in gaps.values()}
    assert len(days) == 1
    [(first, last)] = days
    command = f"unn-ingest backfill --from {first} --to {last} --edition uk,en,ru"
    assert summary["message"].startswith("completed with a gap (")
    assert summary["message"].endswith(f"fill it with: {command}")
    assert [g["command"].split(" --edition ")[0] for g in summary["gaps"]] == [
        command.split(" --edition ")[0]
    ] * 3
    assert all(c.watermark is not None and c.watermark > end - PAUSE for c in caught)
    _, again = ingest_once(settings)  # the gap stays recorded, the next run walks no further
    assert [c.gap for c in again] == [None, None, None]


def _kyiv_day(when: datetime) -> date:
    from zoneinfo import ZoneInfo

    return when.astimezone(ZoneInfo("Europe/Kyiv")).date()


def test_a_listing_page_that_fails_keeps_the_watermark_below_it_and_the_next_run_fills_it(
    busy: ReplicaServer, tmp_path: Path
) -> None:
    settings = settings_for(busy, tmp_path)
    ingest_once(settings)
    first = watermarks(settings)
    start = busy.site.clock.now()
    end = advance(busy, PAUSE)
    busy.site.force_fault(f"/news?page={FAULTED}", "503")
    hidden_items = _listing_page(busy, FAULTED)
    hidden = {i.url for i in hidden_items}
    hidden_times = [i.published_at for i in hidden_items if i.published_at]
    summary, _ = ingest_once(settings)
    after_fault = watermarks(settings)
    assert any(f["url"].endswith(f"/news?page={FAULTED}") for f in summary["failures"])
    assert first["uk"] < after_fault["uk"] < min(hidden_times)  # over the pages below, not it
    assert after_fault["en"] > end - timedelta(hours=1)  # the other editions are not held back
    assert hidden and not hidden & stored_urls(settings)  # its articles were not seen
    busy.site.faults.clear()
    advance(busy, timedelta(minutes=10))
    ingest_once(settings)
    assert published_between(busy, start, end) <= stored_urls(settings)
    assert watermarks(settings)["uk"] > end - timedelta(hours=1)


def _listing_page(server: ReplicaServer, number: int) -> list[DiscoveredItem]:
    """Return the items of a uk listing page as the site renders it now (no faults)."""
    url = f"{server.base_url}/news?page={number}"
    rendered = server.site.render(url)
    page = FetchedPage(url, url, rendered.status, rendered.headers, rendered.body, clock.now())
    return list(parse_listing(page, load_profile(origin=server.base_url)).items)


def test_the_first_run_reads_the_first_listing_page_only(
    busy: ReplicaServer, tmp_path: Path
) -> None:
    settings = settings_for(busy, tmp_path)
    _, caught = ingest_once(settings)
    assert [c.pages for c in caught] == [1, 1, 1]
    newest = {c.edition: max(i.published_at for i in c.items if i.published_at) for c in caught}
    assert watermarks(settings) == newest


def test_a_stopped_run_leaves_the_watermarks_where_they_were(
    busy: ReplicaServer, tmp_path: Path
) -> None:
    settings = settings_for(busy, tmp_path)
    with open_run(settings) as ctx:
        caught = [catchup.catch_up(ctx, ed) for ed in EDITIONS]  # found, never settled
    assert all(c.watermark is not None for c in caught)
    assert watermarks(settings) == {}


# --- the decisions, without a site -----------------------------------------------------------

T0 = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)


def read_page(number: int, minutes: list[int], damage: str | None = None) -> ListingRead:
    """A listing page whose items were published these minutes after T0."""
    items = tuple(
        DiscoveredItem(
            f"http://x/news/{number}-{m}", "uk", f"{number}-{m}", T0 + timedelta(minutes=m)
        )
        for m in minutes
    )
    found = None if damage and not items else Discovery(items, has_next=True)
    return ListingRead(number, f"http://x/news?page={number}", found, damage)


def test_the_watermark_moves_over_the_pages_read_up_to_the_first_unread_one() -> None:
    pages = (read_page(1, [90, 80]), read_page(2, [70, 60], "HTTP 503"), read_page(3, [50, 5]))
    walk = catchup.Walk(pages, "reached")
    assert catchup.new_watermark(walk, T0, None) == T0 + timedelta(minutes=50)
    whole = catchup.Walk((pages[0], read_page(2, [70, 60]), pages[2]), "reached")
    assert catchup.new_watermark(whole, T0, T0 + timedelta(minutes=95)) == T0 + timedelta(
        minutes=95
    )


def test_the_watermark_stays_when_the_walk_did_not_cover_its_span() -> None:
    unread = catchup.Walk((read_page(1, [90]), read_page(2, [], "HTTP 503")), "unread")
    assert catchup.new_watermark(unread, T0, None) is None
    bottom = catchup.Walk((read_page(1, [90]), read_page(2, [5], "cut short")), "reached")
    assert catchup.new_watermark(bottom, T0, None) is None  # the page next to it was not read
    first = catchup.Walk((read_page(1, [], "HTTP 503"),), "first-run")
    assert catchup.new_watermark(first, None, T0) is None


def feed(minutes: list[int], error: str | None = None) -> Discovery:
    """A feed whose items were published these minutes after T0."""
    return Discovery(read_page(0, minutes).items, error=error)


@pytest.mark.parametrize(
    ("found", "cutoff", "reaches"),
    [
        pytest.param(feed([90, 40, 20]), 30, True, id="oldest-item-below-the-cutoff"),
        pytest.param(feed([90, 40]), 30, False, id="all-newer-than-the-cutoff"),
        pytest.param(feed([90, 20], "not well-formed"), 30, False, id="damaged"),
        pytest.param(feed([]), 30, False, id="empty"),
        pytest.param(None, 30, False, id="unreadable"),
        pytest.param(feed([90, 20]), None, False, id="first-run"),
    ],
)
def test_the_listing_is_read_only_when_a_sound_feed_does_not_reach_the_watermark(
    found: Discovery | None, cutoff: int | None, reaches: bool
) -> None:
    at = T0 + timedelta(minutes=cutoff) if cutoff is not None else None
    assert catchup.reaches(found, at) is reaches


def test_the_watermark_moves_over_a_feed_that_reached_it() -> None:
    walk = catchup.Walk((), "feed")
    assert catchup.new_watermark(walk, T0, T0 + timedelta(minutes=95)) == T0 + timedelta(minutes=95)
    assert catchup.new_watermark(walk, T0 + timedelta(minutes=99), T0) is None


def gap(edition: str, start_day: int, end_day: int) -> CoverageGap:
    start = datetime(2025, 11, start_day, 8, tzinfo=UTC)
    end = datetime(2025, 11, end_day, 9, tzinfo=UTC)
    return CoverageGap(edition, start, end, start.date(), end.date())


def test_the_gap_message_names_the_span_and_one_command_per_span_of_dates() -> None:
    gaps = [gap("uk", 1, 12), gap("en", 1, 12), gap("ru", 2, 12)]
    assert backfill_commands(gaps) == [
        "unn-ingest backfill --from 2025-11-01 --to 2025-11-12 --edition uk,en",
        "unn-ingest backfill --from 2025-11-02 --to 2025-11-12 --edition ru",
    ]
    report = RunReport()
    report.add("uk", "discovered", 3)
    report.gap(gaps[0])
    assert final_state(report, "http://x").message == (
        "completed with a gap (0 new, 0 updated, 0 failed): uk 2025-11-01 08:00..2025-11-12 "
        "09:00 UTC; fill it with: "
        "unn-ingest backfill --from 2025-11-01 --to 2025-11-12 --edition uk"
    )


def test_a_backfill_is_started_only_when_asked_and_from_a_deployments_run() -> None:
    gaps = [gap("uk", 1, 12), gap("en", 1, 12)]
    params = {"editions": None, "origin": "http://x", "db_url": None, "data_dir": "/d"}
    assert plan_backfills(gaps, False, "deployment-id", params) == []
    assert plan_backfills(gaps, True, None, params) == []  # a run in a terminal: the command
    assert plan_backfills([], True, "deployment-id", params) == []
    assert plan_backfills(gaps, True, "deployment-id", params) == [
        {
            "date_from": "2025-11-01",
            "date_to": "2025-11-12",
            "editions": ["uk", "en"],
            "origin": "http://x",
            "data_dir": "/d",
        }
    ]


def test_the_ingest_flow_ends_completed_with_a_gap_and_says_how_to_fill_it(
    prefect_harness: None, busy: ReplicaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNN_INGEST_CATCHUP_HORIZON_DAYS", str(HORIZON_DAYS))
    monkeypatch.setenv("UNN_INGEST_WORKERS", "1")
    monkeypatch.setenv("UNN_INGEST_ARCHIVE", "false")
    asyncio.run(ingest(None, busy.base_url, None, str(tmp_path)))
    advance(busy, PAUSE)
    run = ingest(None, busy.base_url, None, str(tmp_path), return_state=True)
    state = asyncio.run(cast(Coroutine[Any, Any, State[Any]], run))
    assert state.is_completed()
    message = str(state.message)
    assert message.startswith("completed with a gap (")
    summary = state.result()
    assert [g["edition"] for g in summary["gaps"]] == EDITIONS
    assert message.endswith(
        summary["gaps"][0]["command"].replace("--edition uk", "--edition uk,en,ru")
    )


def test_a_backfill_that_read_every_listing_page_fills_the_gaps_within_its_dates(
    tmp_path: Path,
) -> None:
    settings = Settings(origin="http://127.0.0.1:9", data_dir=tmp_path, workers=1)
    span = gap("uk", 10, 12)
    with open_run(settings) as ctx:
        ctx.store.record_gaps(
            [GapRow("uk", span.start, span.end, T0), GapRow("en", span.start, span.end, T0)]
        )
        ctx.report.unread(UnreadPage("en", "http://x/en/news?page=9", 9, "HTTP 503", None, None))
        assert fill_after_backfill(ctx, date(2025, 11, 1), date(2025, 11, 11), EDITIONS) == 0
        assert fill_after_backfill(ctx, date(2025, 11, 10), date(2025, 11, 12), EDITIONS) == 1
        assert [g.edition for g in ctx.store.gaps()] == ["en"]  # its backfill missed a page
