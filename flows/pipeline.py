"""The pipeline's steps as plain functions: discover, select, process a batch, link.

Prefect tasks (flows/tasks.py) are one-line wrappers around these, so the CLI and the tests can
run every step without a Prefect server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from extractors.analysis import AnalysedArticle, AnalysisFailure, analyse_pages
from extractors.discovery import Discovery, parse_feed, parse_listing
from extractors.page import FetchedPage
from extractors.profile import SiteProfile
from extractors.records import DiscoveredItem
from extractors.urls import article_key
from flows.context import RunContext
from flows.http import FetchOutcome, FetchRequest
from flows.linker import link_explicit
from flows.report import Failure, progress
from flows.workers import BatchWork, fetch_and_analyse, share_of
from storage import ArticleInput, FetchRecord

log = logging.getLogger(__name__)

REVISIT_WINDOW = timedelta(hours=48)  # recent articles are re-checked (conditional GET)


# --- discovery -------------------------------------------------------------------------


def discover_latest(ctx: RunContext, edition: str) -> list[DiscoveredItem]:
    """Read one edition's feed and first listing page; failures are recorded, not raised."""
    ed = ctx.profile.edition(edition)
    feed_url = ctx.profile.origin + ed.feed_path
    listing_url = ctx.profile.origin + ed.listing_path + "?page=1"
    feed, listing = ctx.fetcher.fetch_all([FetchRequest(feed_url), FetchRequest(listing_url)])
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
        for outcome in self.ctx.fetcher.fetch_all(requests):
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
    _log_fetches(ctx, [outcome], kind)
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
        if item.url not in seen or (seen[item.url].published_at is None and item.published_at):
            seen[item.url] = item
    return list(seen.values())


# --- selection ---------------------------------------------------------------------------


def select_requests(
    ctx: RunContext, items: Sequence[DiscoveredItem], refetch_known: bool
) -> list[FetchRequest]:
    """Return what to fetch: new URLs, and (if asked) recent known ones due for a re-check.

    "Recent" is measured against the newest item the site listed, not the local clock, so a
    lagging or replayed site (the replica) is revisited the same way as the live one.
    """
    urls = [i.url for i in items]
    stored = ctx.store.known_article_urls(urls)
    states = ctx.store.fetch_states(u for u in urls if u in stored) if refetch_known else {}
    times = [i.published_at for i in items if i.published_at]
    site_now = max(times) if times else datetime.now(UTC)
    requests = []
    for item in items:
        if item.url not in stored:
            requests.append(FetchRequest(item.url))
            continue
        state = states.get(item.url)
        if state is not None and _due_for_revisit(ctx, item, state.last_fetched_at, site_now):
            requests.append(FetchRequest(item.url, state.etag, state.last_modified))
    return requests


def _due_for_revisit(
    ctx: RunContext, item: DiscoveredItem, last: datetime | None, site_now: datetime
) -> bool:
    """Re-check young articles often and older ones rarely (interval grows with age)."""
    age = site_now - item.published_at if item.published_at else timedelta(0)
    if age > REVISIT_WINDOW:
        return False
    interval = max(ctx.revisit_min, age * ctx.revisit_age_factor)
    return last is None or datetime.now(UTC) - last >= interval


def chunked(seq: Sequence[FetchRequest], size: int) -> Iterator[list[FetchRequest]]:
    """Yield consecutive slices of at most `size` items."""
    for start in range(0, len(seq), size):
        yield list(seq[start : start + size])


# --- one batch: fetch, extract, store, link explicitly ----------------------------------------


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch stored, and the explicit-link targets still to fetch."""

    article_ids: tuple[int, ...]
    follow_up: tuple[FetchRequest, ...]


def process_batch(ctx: RunContext, requests: Sequence[FetchRequest]) -> BatchResult:
    """Fetch, analyse, store and explicitly link one batch of article URLs.

    Fetching and analysis may overlap with another batch; the database part holds the lock.
    """
    work = _fetch_and_analyse(ctx, list(requests))
    with ctx.db_lock:
        ids = _store_batch(ctx, work)
        linked = link_explicit(ctx, ids)
        follow = tuple(FetchRequest(url) for _, url in ctx.store.unlinked_urls(ids))
    progress("articles", len(requests))
    log.info("batch: %d requested, %d stored, %d linked", len(requests), len(ids), linked)
    return BatchResult(article_ids=ids, follow_up=follow)


def _store_batch(ctx: RunContext, work: BatchWork) -> tuple[int, ...]:
    """Log the fetches, record failures, upsert the articles; return the stored ids."""
    _log_fetches(ctx, work.outcomes, "article")
    for outcome in work.outcomes:
        _count_fetch(ctx, outcome)
    pages = [o.page for o in work.outcomes if o.page is not None]
    good: list[tuple[AnalysedArticle, FetchedPage]] = []
    for page, result in zip(pages, work.analysed, strict=True):
        if isinstance(result, AnalysisFailure):
            edition = _edition_of(ctx, page.url)
            ctx.report.fail(Failure(result.url, "extract", result.reason, edition))
        else:
            good.append((result, page))
    stored = ctx.store.upsert_articles([_article_input(r, p) for r, p in good]) if good else []
    for row, (result, _) in zip(stored, good, strict=True):
        ctx.report.add(row.edition, row.status)
        ctx.features[row.article_id] = replace(result.features, article_id=row.article_id)
        ctx.facts[row.article_id] = result.facts
    return tuple(s.article_id for s in stored)


def _fetch_and_analyse(ctx: RunContext, requests: list[FetchRequest]) -> BatchWork:
    """Fetch and analyse a batch: in a worker process for large runs, else right here.

    Until the workers have started, batches are done here rather than wait for them.
    """
    if ctx.executor is not None and ctx.use_executor and ctx.executor.ready():
        policy = share_of(ctx.fetcher.policy, ctx.workers)
        return ctx.executor.submit(fetch_and_analyse, requests, policy, ctx.profile).result()
    outcomes = ctx.fetcher.fetch_all(requests)
    pages = [o.page for o in outcomes if o.page is not None]
    return BatchWork(tuple(outcomes), tuple(analyse_pages(pages, ctx.profile)))


def _article_input(result: AnalysedArticle, page: FetchedPage) -> ArticleInput:
    return ArticleInput(
        article=result.article,
        lang=result.lang,
        lang_mismatch=result.lang_mismatch,
        content_hash=result.content_hash,
        minhash=result.minhash,
        word_count=result.word_count,
        fetched_at=page.fetched_at,
    )


def _count_fetch(ctx: RunContext, outcome: FetchOutcome) -> None:
    edition = _edition_of(ctx, outcome.url)
    if outcome.page is not None:
        ctx.report.add(edition, "fetched")
    elif outcome.not_modified:
        ctx.report.add(edition, "unchanged")
    else:
        ctx.report.fail(Failure(outcome.url, "fetch", outcome.error or "failed", edition))


def _edition_of(ctx: RunContext, url: str) -> str:
    key = article_key(url, ctx.profile)
    return key.edition if key else "?"


def _log_fetches(ctx: RunContext, outcomes: Sequence[FetchOutcome], kind: str) -> None:
    records = [_fetch_record(o, kind) for o in outcomes]
    with ctx.db_lock:  # reentrant: batches already hold it, concurrent discovery does not
        ctx.store.record_fetches(records)


def _fetch_record(outcome: FetchOutcome, kind: str) -> FetchRecord:
    page = outcome.page
    return FetchRecord(
        url=outcome.url,
        kind=kind,
        status=outcome.status,
        etag=page.header("etag") if page else None,
        last_modified=page.header("last-modified") if page else None,
        content_hash=None,
        error=outcome.error,
        fetched_at=outcome.fetched_at,
    )
