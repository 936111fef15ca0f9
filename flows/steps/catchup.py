"""Catch-up: each `ingest` reads an edition back to what the last completed run covered.

Per edition: the feed, then listing pages newest first, until a page reaches the edition's
watermark (the newest publish time a completed run covered, stored in the database) less an
overlap margin. So no article published since is skipped, whatever the pause. A first run
(no watermark) reads the first listing page only, as `ingest` always did. When the feed is
sound and its oldest item already reaches that margin (a scheduled run in steady state: the
feed holds the newest 100 items, hours of publishing), it lists everything published since and
no listing page is read: discovery costs one request per edition and run.

The walk is bounded by the horizon (`UNN_INGEST_CATCHUP_HORIZON_DAYS`): past it the walk stops
and the span it did not reach is a **gap**, recorded in the database, the run's summary and
state, a WARNING, and the `unn-ingest backfill` command that fills it.

The watermark moves only over what was actually read: counted from the bottom of the
walk, up to the first page that could not be read. That page and everything newer is read
again by the next run. The new watermarks are stored only once the run has stored what it
found (`settle`), so a run that stops early leaves them where they were.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from unn_ingest.extractors import clock
from unn_ingest.extractors.discovery import Discovery
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.freshness import CoverageGap, backfill_commands
from unn_ingest.flows.steps.discover import (
    LISTING_LOOKAHEAD,
    UNREAD_RUN_LIMIT,
    Listing,
    ListingRead,
    dedupe,
    read_feed,
    record_unread,
    unread_run,
)
from unn_ingest.flows.steps.measure import tally_missing
from unn_ingest.storage import GapRow

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=30)  # read this far below the watermark (late or re-dated items)
MAX_PAGES = 2000  # a listing walk never goes further, horizon or not
# a walk that covered its span ("feed": the feed alone reached the watermark, no page read)
CLOSED = ("reached", "horizon", "listing-end", "first-run", "feed")


@dataclass(frozen=True, slots=True)
class Walk:
    """Listing pages read newest first, and why the walk ended."""

    pages: tuple[ListingRead, ...]
    end: str  # one of CLOSED, or "unread" (too many unreadable pages), "max-pages"


@dataclass(frozen=True, slots=True)
class CatchUp:
    """What one edition's catch-up found, and what to store once the run has completed."""

    edition: str
    items: tuple[DiscoveredItem, ...]
    watermark: datetime | None  # the new watermark (None: it stays where it was)
    gap: CoverageGap | None
    pages: int  # listing pages read


def catch_up(ctx: RunContext, edition: str) -> CatchUp:
    """Read an edition's feed and listing pages back to its watermark (or the horizon)."""
    now = clock.now()
    old = ctx.store.watermarks([edition]).get(edition)
    feed = read_feed(ctx, edition)
    feed_items = list(feed.items) if feed is not None else []
    cutoff = old - OVERLAP if old is not None else None
    if reaches(feed, cutoff):
        walk = Walk((), "feed")
    else:
        walk = walk_listing(ctx, edition, cutoff, now - ctx.catchup_horizon)
    record_unread(ctx, edition, list(walk.pages))
    listed = [i for p in walk.pages for i in p.items]
    items = dedupe(i for i in [*feed_items, *listed] if i.edition == edition)
    ctx.report.add(edition, "discovered", len(items))
    gap = _gap(ctx, edition, old, walk) if walk.end == "horizon" else None
    feed_times = [i.published_at for i in feed_items if i.published_at]
    mark = new_watermark(walk, old, max(feed_times, default=None))
    return CatchUp(edition, tuple(items), mark, gap, len(walk.pages))


def reaches(feed: Discovery | None, cutoff: datetime | None) -> bool:
    """Tell whether a sound feed reaches back to `cutoff`: then it lists everything published
    since (it holds the newest items, newest first), and no listing page needs reading."""
    if feed is None or feed.error is not None or cutoff is None:
        return False
    times = [i.published_at for i in feed.items if i.published_at]
    return bool(times) and len(times) == len(feed.items) and min(times) <= cutoff


def walk_listing(ctx: RunContext, edition: str, cutoff: datetime | None, horizon: datetime) -> Walk:
    """Read listing pages newest first (1, then 2, then groups of 4) until one reaches
    `cutoff` (None: page 1 only), one is older than `horizon`, or the listing ends."""
    listing = Listing(ctx, edition, MAX_PAGES)
    pages: list[ListingRead] = []
    first, size = 1, 1
    while first <= MAX_PAGES:
        ctx.stop.check()
        for page in listing.read(range(first, min(first + size, MAX_PAGES + 1))):
            end = _verdict(page, pages, cutoff, horizon)
            if end is not None:
                return Walk(tuple(pages), end)
        first, size = first + size, min(size * 2, LISTING_LOOKAHEAD)
    return Walk(tuple(pages), "max-pages")


def _verdict(
    page: ListingRead, pages: list[ListingRead], cutoff: datetime | None, horizon: datetime
) -> str | None:
    """Add a page to the walk; return why the walk ends with it, or None to go on."""
    if page.damage is None and not page.items:
        return "listing-end"  # a sound empty page: past the end of the listing
    pages.append(page)
    if cutoff is None:
        return "first-run"
    if page.damage is not None:
        return "unread" if unread_run(pages) >= UNREAD_RUN_LIMIT else None
    oldest = min(page.times, default=None)
    if oldest is not None and oldest <= cutoff:
        return "reached"
    if oldest is not None and oldest < horizon:
        return "horizon"
    assert page.discovery is not None
    return None if page.discovery.has_next else "listing-end"


def new_watermark(
    walk: Walk, old: datetime | None, feed_newest: datetime | None
) -> datetime | None:
    """Return the watermark after this walk, or None when it does not move.

    It moves over the pages read, from the bottom of the walk up to the first page that
    could not be read; over the feed too when every page was read (or the feed alone reached
    the old watermark). A walk that did not cover its span (too many unreadable pages in a
    row) moves nothing.
    """
    if walk.end not in CLOSED:
        return None
    mark = old
    for page in reversed(walk.pages):
        if page.damage is not None:
            return mark if mark is not None and (old is None or mark > old) else None
        for at in page.times:
            mark = at if mark is None else max(mark, at)
    if feed_newest is not None and (walk.pages or walk.end == "feed"):
        mark = feed_newest if mark is None else max(mark, feed_newest)
    return mark if mark is not None and (old is None or mark > old) else None


def _gap(ctx: RunContext, edition: str, old: datetime | None, walk: Walk) -> CoverageGap | None:
    """Return the span between the watermark and the oldest item read, logged as a WARNING."""
    times = [t for p in walk.pages if p.damage is None for t in p.times]
    if old is None or not times:
        return None
    gap = CoverageGap.spanning(edition, old, min(times), ctx.zone())
    log.warning(
        "catch-up %s: the pause is longer than the %s horizon; not covered: %s; fill it with: %s",
        edition,
        _days(ctx.catchup_horizon),
        gap.describe(),
        backfill_commands([gap])[0],
    )
    return gap


def _days(span: timedelta) -> str:
    return f"{span.total_seconds() / 86400:g}-day"


def settle(ctx: RunContext, caught: Sequence[CatchUp]) -> None:
    """Once the run has stored what it found: move the watermarks, record the gaps (in the
    database and the run's report), and tally what is still missing."""
    now = clock.now()
    with ctx.db_lock:
        marks = {c.edition: c.watermark for c in caught if c.watermark is not None}
        ctx.store.advance_watermarks(marks, now)
        ctx.store.record_gaps([_gap_row(c.gap, now) for c in caught if c.gap is not None])
    for gap in (c.gap for c in caught if c.gap is not None):
        ctx.report.gap(gap)  # in the order of the editions, whichever walk ended first
    tally_missing(ctx, [i for c in caught for i in c.items])


def _gap_row(gap: CoverageGap, found_at: datetime) -> GapRow:
    return GapRow(gap.edition, gap.start, gap.end, found_at)
