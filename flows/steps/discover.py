"""Discovery steps: which article URLs the feeds and listing pages announce."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from unn_ingest.extractors.discovery import Discovery, parse_feed, parse_listing
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import FetchOutcome, FetchRequest
from unn_ingest.flows.fetch.site_limit import fetch_in_turn
from unn_ingest.flows.report import Failure, UnreadPage, progress
from unn_ingest.flows.steps.fetchlog import log_fetches

log = logging.getLogger(__name__)


def discover_latest(ctx: RunContext, edition: str) -> list[DiscoveredItem]:
    """Read one edition's feed and first listing page; failures are recorded, not raised."""
    ed = ctx.profile.edition(edition)
    feed_url = ctx.profile.origin + ed.feed_path
    listing_url = ctx.profile.origin + ed.listing_path + "?page=1"
    feed, listing = fetch_in_turn(ctx, [FetchRequest(feed_url), FetchRequest(listing_url)])
    items = read_source(ctx, edition, feed, "feed", parse_feed)
    items += read_source(ctx, edition, listing, "listing", parse_listing)
    found = dedupe(i for i in items if i.edition == edition)
    ctx.report.add(edition, "discovered", len(found))
    return found


LISTING_LOOKAHEAD = 4  # listing pages requested together while walking a range
PAGE_READS = 4  # a damaged listing page is read this many times before it counts as unread
UNREAD_RUN_LIMIT = LISTING_LOOKAHEAD  # this many unread pages in a row end the walk


def discover_range(
    ctx: RunContext, edition: str, date_from: date, date_to: date, max_pages: int = 5000
) -> list[DiscoveredItem]:
    """Walk an edition's listing pages over the dates; return the items published within them.

    The first page that reaches back into the range is found by galloping and bisection, so an
    old range costs a few probes, not a walk through every newer page. A page that stays
    damaged (cut short, empty where items were expected, failing) after `PAGE_READS` reads is
    recorded as unread, with the span of publish times it covers, and the walk goes on past it.
    """
    zone = ctx.zone()
    start = datetime.combine(date_from, datetime.min.time(), zone).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
    listing = Listing(ctx, edition, max_pages)
    walked: list[ListingRead] = []
    page_no = listing.first_page_before(end)
    while page_no <= max_pages:
        group = listing.read(range(page_no, min(page_no + LISTING_LOOKAHEAD, max_pages + 1)))
        ended = _walk_group(group, walked, start)
        if ended or unread_run(walked) >= UNREAD_RUN_LIMIT:
            break
        page_no += LISTING_LOOKAHEAD
    record_unread(ctx, edition, walked)
    found = [i for r in walked for i in r.items if i.published_at and start <= i.published_at < end]
    found = dedupe(i for i in found if i.edition == edition)
    ctx.report.add(edition, "discovered", len(found))
    return found


@dataclass(frozen=True, slots=True)
class ListingRead:
    """One listing page as the walk last read it; `damage` says why it is not sound."""

    number: int
    url: str
    discovery: Discovery | None  # None: no usable response
    damage: str | None = None

    @property
    def items(self) -> tuple[DiscoveredItem, ...]:
        """Return the items the page gave (a damaged page may still give some)."""
        return self.discovery.items if self.discovery else ()

    @property
    def times(self) -> list[datetime]:
        """Return the publish times of the page's items."""
        return [i.published_at for i in self.items if i.published_at]


def _walk_group(group: list[ListingRead], walked: list[ListingRead], start: datetime) -> bool:
    """Add a group's pages to the walk in order; tell whether the walk has reached its end."""
    for page in group:
        if page.damage is None and not page.items:
            return True  # a sound empty page: past the end of the listing
        walked.append(page)
        if page.damage is not None:
            if unread_run(walked) >= UNREAD_RUN_LIMIT:
                return True
            continue
        assert page.discovery is not None
        if not page.discovery.has_next or (page.times and min(page.times) < start):
            return True
    return False


def unread_run(walked: list[ListingRead]) -> int:
    """Return how many pages at the end of the walk are unread."""
    run = 0
    for page in reversed(walked):
        if page.damage is None:
            break
        run += 1
    return run


def record_unread(ctx: RunContext, edition: str, walked: list[ListingRead]) -> None:
    """Record each unread page with the publish times it lies between (as far as known)."""
    for index, page in enumerate(walked):
        if page.damage is None:
            continue
        newer = [t for p in walked[:index] for t in p.times]
        older = [t for p in walked[index + 1 :] if p.damage is None for t in p.times]
        ctx.report.fail(Failure(page.url, "listing", page.damage, edition))
        ctx.report.unread(
            UnreadPage(
                edition=edition,
                url=page.url,
                page=page.number,
                reason=page.damage,
                newer_than=max(older) if older else None,
                older_than=min(newer) if newer else None,
            )
        )


class Listing:
    """One edition's paginated listing, read page by page (newest first)."""

    def __init__(self, ctx: RunContext, edition: str, max_pages: int) -> None:
        self.ctx, self.edition, self.max_pages = ctx, edition, max_pages
        self.path = ctx.profile.origin + ctx.profile.edition(edition).listing_path
        self.known_last = 0  # the highest page number known to exist

    def read(self, numbers: Iterable[int]) -> list[ListingRead]:
        """Fetch pages together, re-reading the damaged ones; return them all, in order."""
        reads = {n: ListingRead(n, f"{self.path}?page={n}", None, "not read") for n in numbers}
        for attempt in range(PAGE_READS):
            damaged = [r for r in reads.values() if r.damage is not None]
            if not damaged:
                break
            if attempt:
                log.info("listing %s: reading %d damaged pages again", self.edition, len(damaged))
            requests = [FetchRequest(r.url) for r in damaged]
            outcomes = fetch_in_turn(self.ctx, requests)
            fresh = [self._judge(r.number, o) for r, o in zip(damaged, outcomes, strict=True)]
            self._note_known(fresh)
            fresh = [self._expect_items(r) for r in fresh]
            log_fetches(self.ctx, outcomes, "listing", {r.url: _stage(r.damage) for r in fresh})
            for page in fresh:
                reads[page.number] = _better(reads[page.number], page)
            # A page read now may show that an empty page read earlier should have had items.
            reads = {n: self._expect_items(r) for n, r in reads.items()}
            progress(f"listing {self.edition}", len(damaged))
        return [reads[n] for n in sorted(reads)]

    def _judge(self, number: int, outcome: FetchOutcome) -> ListingRead:
        if outcome.page is None:
            return ListingRead(number, outcome.url, None, outcome.error or f"HTTP {outcome.status}")
        discovery = parse_listing(outcome.page, self.ctx.profile)
        return ListingRead(number, outcome.url, discovery, discovery.error)

    def _note_known(self, pages: list[ListingRead]) -> None:
        for page in pages:
            if page.items:
                self.known_last = max(self.known_last, page.number)
            if page.damage is None and page.discovery and page.discovery.has_next:
                self.known_last = max(self.known_last, page.number + 1)

    def _expect_items(self, page: ListingRead) -> ListingRead:
        """Mark a sound but empty page damaged when a page at or after it is known to exist."""
        if page.damage is None and not page.items and page.number <= self.known_last:
            return replace(page, damage="listing page empty where items were expected")
        return page

    def oldest(self, number: int) -> datetime | None:
        """Return the oldest publish time on a page (None: past the end, or unreadable)."""
        [page] = self.read([number])
        return min(page.times) if page.damage is None and page.times else None

    def first_page_before(self, end: datetime) -> int:
        """Return the first page holding an item older than `end` (gallop, then bisect).

        An unreadable probe counts as "older": the walk may start early, never late.
        """
        low, high = 1, 1
        while high < self.max_pages:
            oldest = self.oldest(high)
            if oldest is None or oldest < end:
                break
            low, high = high + 1, min(high * 2, self.max_pages)
        while low < high:
            middle = (low + high) // 2
            oldest = self.oldest(middle)
            if oldest is None or oldest < end:
                high = middle
            else:
                low = middle + 1
        return low


def _better(old: ListingRead, new: ListingRead) -> ListingRead:
    """Keep a sound read; between damaged ones keep the one that gave more items."""
    if new.damage is None or old.discovery is None or len(new.items) >= len(old.items):
        return new
    return replace(old, damage=new.damage)


Parser = Callable[[FetchedPage, SiteProfile], Discovery]


def read_feed(ctx: RunContext, edition: str) -> Discovery | None:
    """Fetch and parse an edition's feed; a failure is recorded, not raised (None: no answer)."""
    url = ctx.profile.origin + ctx.profile.edition(edition).feed_path
    [outcome] = fetch_in_turn(ctx, [FetchRequest(url)])
    return _discover(ctx, edition, outcome, "feed", parse_feed)


def read_source(
    ctx: RunContext, edition: str, outcome: FetchOutcome, kind: str, parser: Parser
) -> list[DiscoveredItem]:
    """Parse a fetched feed or listing page; return its items (none when it failed)."""
    discovery = _discover(ctx, edition, outcome, kind, parser)
    return list(discovery.items) if discovery else []


def _discover(
    ctx: RunContext, edition: str, outcome: FetchOutcome, kind: str, parser: Parser
) -> Discovery | None:
    if outcome.page is None:
        log_fetches(ctx, [outcome], kind)
        reason = outcome.error or f"HTTP {outcome.status}"
        ctx.report.fail(Failure(outcome.url, kind, reason, edition))
        return None
    discovery = parser(outcome.page, ctx.profile)
    log_fetches(ctx, [outcome], kind, {outcome.url: _stage(discovery.error, kind)})
    if discovery.error:  # recorded; whatever items it still gave are used
        ctx.report.fail(Failure(outcome.url, kind, discovery.error, edition))
    return discovery


def _stage(reason: str | None, stage: str = "listing") -> str | None:
    """Return a parse failure as the fetch log holds it: "stage: reason"."""
    return f"{stage}: {reason}" if reason else None


def dedupe(items: Iterable[DiscoveredItem]) -> list[DiscoveredItem]:
    """Return the items once per URL, keeping a publish time and a rubric where one has it."""
    seen: dict[str, DiscoveredItem] = {}
    for item in items:
        old = seen.get(item.url)
        if old is None or (old.published_at is None and item.published_at):
            seen[item.url] = (
                item if old is None else replace(item, rubric=item.rubric or old.rubric)
            )
        elif old.rubric is None and item.rubric:
            seen[item.url] = replace(old, rubric=item.rubric)
    return list(seen.values())
