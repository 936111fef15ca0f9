"""The pipeline's steps as plain functions: discover, select, process a batch, link.

Prefect tasks (flows/tasks.py) are one-line wrappers around these, so the CLI and the tests can
run every step without a Prefect server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from extractors.analysis import AnalysedArticle, AnalysisFailure, analyse_pages
from extractors.discovery import Discovery, parse_feed, parse_listing
from extractors.page import FetchedPage
from extractors.records import DiscoveredItem
from extractors.urls import article_key
from flows.context import RunContext
from flows.http import FetchOutcome, FetchRequest
from flows.linker import link_explicit
from flows.report import Failure, progress
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


def discover_range(
    ctx: RunContext, edition: str, date_from: date, date_to: date, max_pages: int = 2000
) -> list[DiscoveredItem]:
    """Walk an edition's listing pages back past `date_from`; return items within the dates."""
    zone = ctx.zone()
    start = datetime.combine(date_from, datetime.min.time(), zone).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
    ed = ctx.profile.edition(edition)
    found: list[DiscoveredItem] = []
    for page_no in range(1, max_pages + 1):
        url = f"{ctx.profile.origin}{ed.listing_path}?page={page_no}"
        (outcome,) = ctx.fetcher.fetch_all([FetchRequest(url)])
        discovery = _discover(ctx, edition, outcome, "listing", parse_listing)
        if discovery is None:
            break
        found += [i for i in discovery.items if i.published_at and start <= i.published_at < end]
        times = [i.published_at for i in discovery.items if i.published_at]
        progress(f"listing {edition}", 1)
        if not discovery.has_next or not discovery.items or (times and min(times) < start):
            break
    found = _dedupe(i for i in found if i.edition == edition)
    ctx.report.add(edition, "discovered", len(found))
    return found


def _read_source(
    ctx: RunContext, edition: str, outcome: FetchOutcome, kind: str, parser
) -> list[DiscoveredItem]:  # type: ignore[no-untyped-def]
    discovery = _discover(ctx, edition, outcome, kind, parser)
    return list(discovery.items) if discovery else []


def _discover(
    ctx: RunContext, edition: str, outcome: FetchOutcome, kind: str, parser
) -> Discovery | None:  # type: ignore[no-untyped-def]
    _log_fetches(ctx, [outcome], kind)
    if outcome.page is None:
        reason = outcome.error or f"HTTP {outcome.status}"
        ctx.report.fail(Failure(outcome.url, kind, reason, edition))
        return None
    discovery: Discovery = parser(outcome.page, ctx.profile)
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
    outcomes = ctx.fetcher.fetch_all(requests)
    pages = [o.page for o in outcomes if o.page is not None]
    analysed = _analyse(ctx, pages)
    with ctx.db_lock:
        _log_fetches(ctx, outcomes, "article")
        for outcome in outcomes:
            _count_fetch(ctx, outcome)
        inputs = []
        for page, result in zip(pages, analysed, strict=True):
            if isinstance(result, AnalysisFailure):
                edition = _edition_of(ctx, page.url)
                ctx.report.fail(Failure(result.url, "extract", result.reason, edition))
                continue
            inputs.append(_article_input(result, page))
        stored = ctx.store.upsert_articles(inputs) if inputs else []
        for outcome in stored:
            ctx.report.add(outcome.edition, outcome.status)
        ids = tuple(s.article_id for s in stored)
        linked = link_explicit(ctx, ids)
        follow = tuple(FetchRequest(url) for _, url in ctx.store.unlinked_urls(ids))
    progress("articles", len(requests))
    log.info("batch: %d requested, %d stored, %d linked", len(requests), len(ids), linked)
    return BatchResult(article_ids=ids, follow_up=follow)


def _analyse(ctx: RunContext, pages: list[FetchedPage]) -> list[AnalysedArticle | AnalysisFailure]:
    if ctx.executor is None or not ctx.use_executor or len(pages) < 4:
        return analyse_pages(pages, ctx.profile)
    workers = 2
    size = (len(pages) + workers - 1) // workers
    parts = [pages[i : i + size] for i in range(0, len(pages), size)]
    futures = [ctx.executor.submit(analyse_pages, part, ctx.profile) for part in parts]
    return [r for f in futures for r in f.result()]


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
    ctx.store.record_fetches([_fetch_record(o, kind) for o in outcomes])


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
