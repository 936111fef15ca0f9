"""Discovery steps: which article URLs the feeds and listing pages announce."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from unn_ingest.extractors.discovery import Discovery, parse_feed, parse_listing
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import FetchOutcome, FetchRequest
from unn_ingest.flows.fetch.site_limit import fetch_in_turn
from unn_ingest.flows.report import Failure, progress
from unn_ingest.flows.steps.fetchlog import log_fetches


def discover_latest(ctx: RunContext, edition: str) -> list[DiscoveredItem]:
    """Read one edition's feed and first listing page; failures are recorded, not raised."""
    ed = ctx.profile.edition(edition)
    feed_url = ctx.profile.origin + ed.feed_path
    listing_url = ctx.profile.origin + ed.listing_path + "?page=1"
    feed, listing = fetch_in_turn(ctx, [FetchRequest(feed_url), FetchRequest(listing_url)])
    items = _read_source(ctx, edition, feed, "feed", parse_feed)
    items += _read_source(ctx, edition, listing, "listing", parse_listing)
    found = _dedupe(i for i in items if i.edition == edition)
    ctx.report.add(edition, "discovered", len(found))
    return found


LISTING_LOOKAHEAD = 4  # listing pages requested together while walking a range


def discover_range(
    ctx: RunContext, edition: str, date_from: date, date_to: date, max_pages: int = 5000
) -> list[DiscoveredItem]:
    """Walk an edition's listing pages over the dates; return the items published within them.

    The first page that reaches back into the range is found by galloping and bisection, so an
    old range costs a few probes, not a walk through every newer page.
    """
    zone = ctx.zone()
    start = datetime.combine(date_from, datetime.min.time(), zone).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
    listing = _Listing(ctx, edition, max_pages)
    found: list[DiscoveredItem] = []
    page_no = listing.first_page_before(end)
    while page_no <= max_pages:
        pages = listing.read(range(page_no, min(page_no + LISTING_LOOKAHEAD, max_pages + 1)))
        for discovery in pages:
            found += [
                i for i in discovery.items if i.published_at and start <= i.published_at < end
            ]
        last = pages[-1] if pages else None
        if last is None or len(pages) < LISTING_LOOKAHEAD or _ends_before(last, start):
            break
        page_no += LISTING_LOOKAHEAD
    found = _dedupe(i for i in found if i.edition == edition)
    ctx.report.add(edition, "discovered", len(found))
    return found


def _ends_before(discovery: Discovery, start: datetime) -> bool:
    times = [i.published_at for i in discovery.items if i.published_at]
    return not discovery.has_next or not times or min(times) < start


class _Listing:
    """One edition's paginated listing, read page by page (newest first)."""

    def __init__(self, ctx: RunContext, edition: str, max_pages: int) -> None:
        self.ctx, self.edition, self.max_pages = ctx, edition, max_pages
        self.path = ctx.profile.origin + ctx.profile.edition(edition).listing_path

    def read(self, numbers: Iterable[int]) -> list[Discovery]:
        """Fetch pages together; return them in order, up to the first missing or last one."""
        requests = [FetchRequest(f"{self.path}?page={n}") for n in numbers]
        pages: list[Discovery] = []
        for outcome in fetch_in_turn(self.ctx, requests):
            discovery = _discover(self.ctx, self.edition, outcome, "listing", parse_listing)
            progress(f"listing {self.edition}", 1)
            if discovery is None or not discovery.items:
                break
            pages.append(discovery)
            if not discovery.has_next:
                break
        return pages

    def oldest(self, number: int) -> datetime | None:
        """Return the oldest publish time on a page (None: past the end, or unreadable)."""
        pages = self.read([number])
        times = [i.published_at for p in pages for i in p.items if i.published_at]
        return min(times) if times else None

    def first_page_before(self, end: datetime) -> int:
        """Return the first page holding an item older than `end` (gallop, then bisect)."""
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


Parser = Callable[[FetchedPage, SiteProfile], Discovery]


def _read_source(
    ctx: RunContext, edition: str, outcome: FetchOutcome, kind: str, parser: Parser
) -> list[DiscoveredItem]:
    discovery = _discover(ctx, edition, outcome, kind, parser)
    return list(discovery.items) if discovery else []


def _discover(
    ctx: RunContext, edition: str, outcome: FetchOutcome, kind: str, parser: Parser
) -> Discovery | None:
    log_fetches(ctx, [outcome], kind)
    if outcome.page is None:
        reason = outcome.error or f"HTTP {outcome.status}"
        ctx.report.fail(Failure(outcome.url, kind, reason, edition))
        return None
    discovery = parser(outcome.page, ctx.profile)
    if discovery.error:  # recorded; whatever items it still gave are used
        ctx.report.fail(Failure(outcome.url, kind, discovery.error, edition))
    return discovery


def _dedupe(items: Iterable[DiscoveredItem]) -> list[DiscoveredItem]:
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
