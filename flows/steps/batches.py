"""The pipeline's steps as plain functions: select what to fetch, process a batch.

Prefect tasks (flows/tasks.py) are one-line wrappers around these, so the CLI and the tests can
run every step without a Prefect server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, CancelledError, Future
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from unn_ingest.extractors import clock
from unn_ingest.extractors.analysis import AnalysisFailure
from unn_ingest.extractors.drift import fields_present
from unn_ingest.extractors.records import AnalysedArticle, DiscoveredItem
from unn_ingest.extractors.urls import article_key
from unn_ingest.flows import cputime
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import FetchOutcome, FetchRequest, stopped
from unn_ingest.flows.fetch.pool import LazyProcessPool
from unn_ingest.flows.fetch.readahead import ReadAhead
from unn_ingest.flows.fetch.site_limit import fetch_in_turn, site_slot
from unn_ingest.flows.fetch.workers import BatchWork, analyse_outcomes, fetch_and_analyse, share_of
from unn_ingest.flows.report import Failure, progress
from unn_ingest.flows.run_logs import replay_logs
from unn_ingest.flows.steps.fetchlog import log_fetches
from unn_ingest.flows.steps.link import link_explicit
from unn_ingest.flows.steps.removals import (
    apply_moves,
    as_removed,
    gone_articles,
    mark_gone,
    unlisted_requests,
)
from unn_ingest.storage import FetchState

log = logging.getLogger(__name__)

REVISIT_WINDOW = timedelta(hours=48)  # recent articles are re-checked (conditional GET)...
# ...and, once no longer listed, those younger than this: the ~16 h a feed lists an article
# plus a night-long pause of the pipeline, during which it may have left the feed unseen
UNLISTED_WINDOW = timedelta(hours=36)
LEAVING = 10  # per edition, the oldest listed items get a last look before they drop out...
LAST_LOOK_SHARE = 0.25  # ...if not checked within this share of their age
RETITLED_SHARE = 0.2  # a feed title unlike the stored one is a correction while this few differ


# --- selection ---------------------------------------------------------------------------


def select_requests(
    ctx: RunContext,
    items: Sequence[DiscoveredItem],
    refetch_known: bool,
    editions: Sequence[str] | None = None,
) -> list[FetchRequest]:
    """Return what to fetch: the frontier's due URLs, and (if asked) recent known ones.

    Every discovered URL enters the frontier first; a URL not stored yet is fetched when its
    `next_attempt_at` has come (at once when new; later after a failure), including failed
    URLs of these editions that no listing shows any more. "Recent" is measured against the
    newest item the site listed, not the local clock, so a lagging or replayed site (the
    replica) is revisited the same way as the live one.

    With `refetch_known` (ingest), stored articles the listings no longer show are re-checked
    first (`removals`): what the site removed is marked, what it moved takes its new URL before
    that URL could be taken for a new article. Then recent stored articles are revisited on
    their schedule, listed or not (`unlisted_revisits`).
    """
    now = clock.now()
    urls = [i.url for i in items]
    ctx.rubrics.update((i.url, i.rubric) for i in items if i.rubric)
    with ctx.db_lock:
        ctx.store.add_discovered(urls, "article", now)
    ctx.queued.update(urls)
    if refetch_known:
        recheck_unlisted(ctx, items, editions or ctx.profile.edition_codes)
    stored = ctx.store.article_titles(urls)
    states = ctx.store.fetch_states(u for u in urls if u not in stored or refetch_known)
    times = [i.published_at for i in items if i.published_at]
    site_now = max(times) if times else now
    leaving = leaving_soon(items)
    retitled = retitled_items(items, stored) if refetch_known else set()
    requests = []
    for item in items:
        state = states.get(item.url)
        if item.url not in stored:
            if _due(state, now):
                requests.append(FetchRequest(item.url))
        elif (
            refetch_known
            and state is not None
            and _due_for_revisit(
                ctx, item, state.last_fetched_at, site_now, item.url in leaving, item in retitled
            )
        ):
            requests.append(FetchRequest(item.url, state.etag, state.last_modified))
    if refetch_known:
        wanted = editions or ctx.profile.edition_codes
        requests += unlisted_revisits(ctx, items, wanted, site_now, {r.url for r in requests})
    requests += _due_elsewhere(ctx, now, set(urls), editions)
    plan_pages(ctx, len(requests))
    return requests


def refetch_stored(
    ctx: RunContext, items: Sequence[DiscoveredItem], planned: Sequence[FetchRequest]
) -> list[FetchRequest]:
    """Return a request for every stored article listed in `items` that is not planned yet,
    whatever its age (`backfill --refetch`): conditional GETs with the stored validators, so
    an unchanged page costs the site a 304."""
    urls = [i.url for i in items]
    stored = ctx.store.known_article_urls(urls)
    skip = {r.url for r in planned}
    again = [u for u in dict.fromkeys(urls) if u in stored and u not in skip]
    states = ctx.store.fetch_states(again)
    requests = [
        FetchRequest(u, s.etag, s.last_modified) if (s := states.get(u)) else FetchRequest(u)
        for u in again
    ]
    plan_pages(ctx, len(requests))
    return requests


def recheck_unlisted(
    ctx: RunContext, items: Sequence[DiscoveredItem], editions: Sequence[str]
) -> None:
    """Re-check (and store what that finds of) stored articles the listings no longer show."""
    requests = unlisted_requests(ctx, items, editions)
    if requests:
        plan_pages(ctx, len(requests))
        process_batch(ctx, requests)


def _due(state: FetchState | None, now: datetime) -> bool:
    """Tell whether a URL not stored yet is due: `next_attempt_at` decides."""
    return state is None or state.next_attempt_at is None or state.next_attempt_at <= now


def _due_elsewhere(
    ctx: RunContext, now: datetime, listed: set[str], editions: Sequence[str] | None
) -> list[FetchRequest]:
    """Return the frontier's due URLs of these editions that this run's discovery did not list."""
    wanted = set(editions or ctx.profile.edition_codes)
    requests = []
    for url in ctx.store.due_urls("article", now):
        key = article_key(url, ctx.profile)
        if url not in listed and key is not None and key.edition in wanted:
            requests.append(FetchRequest(url))
    if requests:
        log.info("frontier: %d earlier URLs due for another attempt", len(requests))
    return requests


def plan_pages(ctx: RunContext, count: int) -> None:
    """Add pages to what the run will fetch (the progress bar's total)."""
    ctx.planned_pages += count
    progress("pages", 0, total=ctx.planned_pages)


def _due_for_revisit(
    ctx: RunContext,
    item: DiscoveredItem,
    last: datetime | None,
    site_now: datetime,
    leaving: bool = False,
    retitled: bool = False,
) -> bool:
    """Re-check young articles often and older ones rarely: geometrically, by default at
    about 4x the age of the last check (1 h, ~4 h, ~16 h), plus one last look when the
    article is about to drop out of what the listings show, and a look as soon as the feed
    shows it under another title than the stored one (a correction, seen at no cost)."""
    age = site_now - item.published_at if item.published_at else timedelta(0)
    if age > REVISIT_WINDOW:
        return False
    if last is None:
        return True
    since = clock.now() - last
    if retitled and since >= age * min(ctx.revisit_age_factor, LAST_LOOK_SHARE):
        return True
    share = min(ctx.revisit_age_factor, LAST_LOOK_SHARE) if leaving else ctx.revisit_age_factor
    return _waited(ctx, since, age, share)


def _waited(ctx: RunContext, since: timedelta, age: timedelta, share: float) -> bool:
    """Tell whether an article of this age, last checked `since` ago, is due on the schedule:
    no sooner than `revisit_min`, nor than this share of its age."""
    return since >= max(ctx.revisit_min, age * share)


def retitled_items(items: Sequence[DiscoveredItem], stored: dict[str, str]) -> set[DiscoveredItem]:
    """Return the listed items whose title differs from their stored article's title.

    Per edition, the signal is trusted only while most stored items agree with their feed
    title (at most `RETITLED_SHARE` differ): a site whose feed titles never match its pages
    (another wording, a suffix) gets its regular schedule, not a re-check every run.
    """
    by_edition: dict[str, list[DiscoveredItem]] = {}
    for item in items:
        if item.title and item.url in stored:
            by_edition.setdefault(item.edition, []).append(item)
    found: set[DiscoveredItem] = set()
    for listed in by_edition.values():
        differ = [i for i in listed if _words(i.title) != _words(stored[i.url])]
        if len(differ) <= RETITLED_SHARE * len(listed):
            found.update(differ)
    return found


def _words(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def unlisted_revisits(
    ctx: RunContext,
    items: Sequence[DiscoveredItem],
    editions: Sequence[str],
    site_now: datetime,
    planned: set[str],
) -> list[FetchRequest]:
    """Return revisits due of stored articles younger than `UNLISTED_WINDOW` that this run's
    discovery did not list: the schedule goes on from the store once an article has left the
    feed.

    In steady state an article leaves the feed just after its last look, and its next check
    would come past that window, so this costs next to nothing; it matters when the pipeline
    was stopped (or a feed failed) while articles left the feed, whose corrections would
    otherwise never be seen. Removals and moves are found by `removals`.
    """
    now = clock.now()
    listed = {i.url for i in items}
    found: list[tuple[str, datetime | None]] = []
    for edition in editions:
        rows = ctx.store.unlisted_articles(edition, site_now - UNLISTED_WINDOW, site_now, listed)
        found += [(url, published) for url, published, _ in rows if url not in planned]
    states = ctx.store.fetch_states(url for url, _ in found)
    requests = []
    for url, published in found:
        state = states.get(url)
        if state is None or state.last_fetched_at is None or published is None:
            continue
        if _waited(ctx, now - state.last_fetched_at, site_now - published, ctx.revisit_age_factor):
            requests.append(FetchRequest(url, state.etag, state.last_modified))
    if requests:
        log.info("revisiting %d stored articles no longer listed", len(requests))
    return requests


def leaving_soon(items: Sequence[DiscoveredItem]) -> set[str]:
    """Return the URLs among the `LEAVING` oldest listed items of each edition's discovery
    (by publish time): the last chance to see a correction before they are no longer listed."""
    by_edition: dict[str, list[DiscoveredItem]] = {}
    for item in items:
        if item.published_at is not None:
            by_edition.setdefault(item.edition, []).append(item)
    oldest = (sorted(found, key=_published)[:LEAVING] for found in by_edition.values())
    return {item.url for found in oldest for item in found}


def _published(item: DiscoveredItem) -> datetime:
    return item.published_at or datetime.max


@contextmanager
def reading_ahead(ctx: RunContext, batches: Iterable[Sequence[FetchRequest]]) -> Iterator[None]:
    """Let the workers fetch and analyse these batches (in this order) before they are asked.

    Only for runs that use the workers and have no site-wide limit: read-ahead fetches without
    holding a slot of that limit, so with one configured every batch waits for its turn.
    """
    executor = ctx.executor
    if executor is None or not ctx.use_executor or ctx.site_limit:
        yield
        return

    def start(batch: list[FetchRequest]) -> Future[BatchWork]:
        return _to_workers(ctx, executor, batch)

    ctx.read_ahead = ReadAhead(start, depth=executor.workers, ready=executor.ready)
    ctx.read_ahead.plan(batches)
    try:
        yield
    finally:
        started = ctx.read_ahead.drain()
        ctx.read_ahead = None
        if ctx.stop.is_set():
            store_stopped(ctx, started)
        else:
            for _, work in started:
                work.cancel()


def store_stopped(
    ctx: RunContext, started: Sequence[tuple[list[FetchRequest], Future[BatchWork]]]
) -> None:
    """Store what the workers fetched of batches read ahead when the run was stopped.

    Batches not started are dropped (the next run fetches them); a started one comes back
    soon, as its worker ends its requests in flight. Its explicit-link targets are queued as a
    batch's are (the run's end releases them to the next run); content linking is left to the
    next run.
    """
    for requests, work in started:
        if work.cancel():
            continue
        with ctx.db_lock:
            ids = _store_batch(ctx, _worker_result(ctx, work, requests))
            link_explicit(ctx, ids)
            _queue_follow_up(ctx, ids)


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
    requested: int = 0
    failed: int = 0  # pages that failed to fetch or extract (not those a stop left unfetched)


def process_batch(ctx: RunContext, requests: Sequence[FetchRequest]) -> BatchResult:
    """Fetch, analyse, store and explicitly link one batch of article URLs.

    Fetching and analysis may overlap with another batch; the database part holds the lock.
    """
    work = _fetch_and_analyse(ctx, list(requests))
    with ctx.db_lock:
        ids = _store_batch(ctx, work)
        linked = link_explicit(ctx, ids)
        follow = _queue_follow_up(ctx, ids)
    log.info("batch: %d requested, %d stored, %d linked", len(requests), len(ids), linked)
    return BatchResult(ids, follow, len(requests), _failed(work))


def _queue_follow_up(ctx: RunContext, ids: Sequence[int]) -> tuple[FetchRequest, ...]:
    """Put the stored articles' explicit-link targets not stored yet into the frontier, in this
    run's queue; return them as requests. Call with the database lock held."""
    follow = tuple(FetchRequest(url) for _, url in ctx.store.unlinked_urls(ids))
    ctx.store.add_discovered([r.url for r in follow], "article", clock.now())
    ctx.queued.update(r.url for r in follow)
    return follow


def _failed(work: BatchWork) -> int:
    """Count a batch's pages that failed to fetch or to extract."""
    fetches = (o for o in work.outcomes if o.stage != "stopped")
    unfetched = sum(1 for o in fetches if o.page is None and not o.not_modified)
    return unfetched + sum(isinstance(r, AnalysisFailure) for r in work.analysed)


@cputime.staged("batch: store articles")
def _store_batch(ctx: RunContext, work: BatchWork) -> tuple[int, ...]:
    """Record failures, upsert the articles, log the fetches; return the stored ids."""
    pages = [o.page for o in work.outcomes if o.page is not None]
    good: list[AnalysedArticle] = []
    unextracted: dict[str, str | None] = {}
    for page, result in zip(pages, work.analysed, strict=True):
        if isinstance(result, AnalysisFailure):
            edition = _edition_of(ctx, page.url)
            ctx.report.fail(Failure(result.url, "extract", result.reason, edition))
            unextracted[page.url] = f"extract: {result.reason}"
        else:
            good.append(_with_rubric(result, ctx.rubrics.get(page.url)))
    gone = gone_articles(ctx, work.outcomes)
    outcomes = [as_removed(o) if o.url in gone else o for o in work.outcomes]
    if gone:
        mark_gone(ctx, gone, clock.now())
    moved = apply_moves(ctx, pages, work.analysed)
    stored = ctx.store.upsert_articles(good) if good else []
    # Logged once the articles are stored: a run that dies in between (a full disk) leaves
    # their URLs due at once, not "fetched" and held back for the retry delay. A moved-away
    # URL's row stays as the move closed it.
    logged = [o for o in outcomes if o.url not in moved]
    log_fetches(ctx, logged, "article", unextracted, work.robots)
    for outcome in outcomes:
        if outcome.url not in gone:
            _count_fetch(ctx, outcome)
    for row, result in zip(stored, good, strict=True):
        ctx.report.add(row.edition, row.status)
        ctx.report.stored(row.article_id)
        if row.status == "new" and result.article.published_at is not None:
            day = result.article.published_at.astimezone(ctx.zone()).date()
            ctx.report.freshness.arrived(
                row.edition, day, result.article.published_at, result.fetched_at
            )
        article = result.article
        ctx.report.drift.observe(
            article.url, article.sources, fields_present(article), article.profile_version
        )
        if result.features is not None and result.facts is not None:  # always, on this path
            ctx.features[row.article_id] = replace(result.features, article_id=row.article_id)
            ctx.facts[row.article_id] = result.facts
    return tuple(s.article_id for s in stored)


def _fetch_and_analyse(ctx: RunContext, requests: list[FetchRequest]) -> BatchWork:
    """Fetch and analyse a batch: in a worker process for large runs, else right here.

    A batch the workers read ahead is only waited for. Until the workers have started, other
    batches are done here rather than wait for them. The fetching holds a slot of the site's
    limit, if one is configured.
    """
    ahead = ctx.read_ahead.take(requests) if ctx.read_ahead is not None else None
    if ahead is not None:
        return _worker_result(ctx, ahead, requests)
    if ctx.executor is not None and ctx.use_executor and ctx.executor.ready():
        with site_slot(ctx.site_limit):
            return _worker_result(ctx, _to_workers(ctx, ctx.executor, requests), requests)
    return analyse_outcomes(fetch_in_turn(ctx, requests), ctx.profile)


def _to_workers(
    ctx: RunContext, executor: LazyProcessPool, requests: list[FetchRequest]
) -> Future[BatchWork]:
    """Send a batch to a worker, which fetches within its share of the site's politeness.

    Once the run is stopped, nothing more is sent: the batch comes back as not fetched.
    """
    if ctx.stop.is_set():
        done: Future[BatchWork] = Future()
        done.set_result(BatchWork(tuple(stopped(r) for r in requests), ()))
        return done
    policy = share_of(ctx.fetcher.policy, executor.workers)
    return executor.submit(fetch_and_analyse, requests, policy, ctx.profile)


def _worker_result(
    ctx: RunContext, work: Future[BatchWork], requests: Sequence[FetchRequest]
) -> BatchWork:
    """Wait for a worker's batch; if the run was stopped meanwhile, the batch counts as stopped."""
    try:
        done = work.result()
    except (BrokenExecutor, CancelledError):
        if not ctx.stop.is_set():
            raise
        return BatchWork(tuple(stopped(r) for r in requests), ())
    replay_logs(done.logs)
    cputime.add(done.cpu)
    return done


def _with_rubric(result: AnalysedArticle, rubric: str | None) -> AnalysedArticle:
    """Return the analysed page with the feed's category filling a missing rubric."""
    article = result.article
    if article.rubric is not None or not rubric:
        return result
    sources = (*(s for s in article.sources if s[0] != "rubric"), ("rubric", "feed"))
    return replace(result, article=replace(article, rubric=rubric, sources=sources))


def _count_fetch(ctx: RunContext, outcome: FetchOutcome) -> None:
    edition = _edition_of(ctx, outcome.url)
    if outcome.page is not None:
        ctx.report.add(edition, "fetched")
    elif outcome.not_modified:
        ctx.report.add(edition, "unchanged")
    else:
        ctx.report.fail(Failure(outcome.url, outcome.stage, outcome.error or "failed", edition))


def _edition_of(ctx: RunContext, url: str) -> str:
    key = article_key(url, ctx.profile)
    return key.edition if key else "?"
