"""The `reprocess` flow: re-extract every archived article page, with no network access.

When the site profile or an extractor proves wrong, the archive (`<data_dir>/warc/`) holds
every page as it was fetched, so the records can be rebuilt from it instead of fetching the
site again. Reading and extraction are the CPU-bound part and run in worker processes (every
core, by default), each reading its own span of a WARC file; the main process writes the
database and relinks what changed. Running it twice, or with an unchanged extractor, changes
nothing.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import httpx
from prefect import flow

from unn_ingest.extractors.analysis import AnalysisFailure
from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.extractors.urls import article_key
from unn_ingest.flows import cputime
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.archive import ArchiveDamage, ArchiveSpan, archive_spans
from unn_ingest.flows.fetch.http import Fetcher
from unn_ingest.flows.fetch.pool import REREADING, LazyProcessPool
from unn_ingest.flows.fetch.rereading import RereadPage, SpanWork, analyse_span, reread_span
from unn_ingest.flows.ingest import RunWatch, run_scope, run_steps
from unn_ingest.flows.report import Failure, progress
from unn_ingest.flows.runtime import resolve_settings
from unn_ingest.flows.steps.link import link_by_content, link_explicit, settle_link_debt
from unn_ingest.storage import Reextracted, UpsertOutcome

log = logging.getLogger(__name__)

SPAN_BYTES = 3 << 16  # compressed WARC bytes per unit of work sent to a worker (~40 pages)
SPANS_IN_HAND = 2  # spans sent to each worker at a time: one at work, one waiting
STORE_CHUNK = 200  # articles per database transaction
CHANGED_LISTED = 200  # changed URLs named in the summary

# One URL and the analyses of its archived versions, oldest first.
UrlResults = tuple[str, list[tuple[datetime, "AnalysedArticle | AnalysisFailure"]]]


@dataclass(frozen=True, slots=True)
class Selection:
    """Which archived articles to re-extract: Kyiv publish dates and editions (None: all)."""

    date_from: date | None = None
    date_to: date | None = None
    editions: tuple[str, ...] | None = None


@flow(name="reprocess", log_prints=False)
async def reprocess(
    date_from: date | None = None,
    date_to: date | None = None,
    editions: list[str] | None = None,
    db_url: str | None = None,
    data_dir: str | None = None,
    origin: str | None = None,
) -> dict[str, object]:
    """Re-extract the archived articles (of these dates and editions) and update their records.

    `origin` is the site the pages were fetched from, when not the profile's (the replica).
    """
    settings = resolve_settings(db_url=db_url, data_dir=data_dir, origin=origin)
    # it contacts no site: a rate set for crawling (0 for the replica) is moot here
    settings = settings.model_copy(update={"requests_per_second": None})
    selection = Selection(date_from, date_to, tuple(editions) if editions else None)
    archive = settings.data_dir / "warc"
    scope = replace(
        run_scope("reprocess", settings, editions), date_from=date_from, date_to=date_to
    )
    return await run_steps(settings, scope, reprocess_steps, archive, selection)


def reprocess_steps(
    ctx: RunContext, watch: RunWatch, archive: Path, selection: Selection
) -> dict[str, object]:
    """Run the steps of `reprocess` (inside its flow run); return its own summary sections."""
    ctx.fetcher = Fetcher(ctx.fetcher.policy, transport=httpx.MockTransport(_offline))
    if ctx.executor is not None:
        ctx.executor.preload = REREADING  # no HTTP client, no settings: the workers start sooner
        ctx.executor.warm()  # the workers start while this process analyses the first spans
    ctx.report.link_debt_settled += settle_link_debt(ctx, selection.date_from, selection.date_to)
    clock = _Stopwatch()
    read = _analyse_archive(ctx, archive, selection.editions)
    clock.lap("read and extract")
    damage = [hurt for work in read for hurt in work.damage]
    elsewhere: Counter[str] = Counter()  # pages archived from other origins than this run's
    for work in read:
        elsewhere.update(dict(work.elsewhere))
    pages = [page for work in read for page in work.pages]
    outcomes = _store_all(ctx, pages, selection)
    clock.lap("store")
    changed = [o for o in outcomes if o.status != "unchanged"]
    with cputime.stage("relink"):
        _relink(ctx, changed)
    clock.lap("relink")
    lost = account_damage(ctx, damage)
    return {
        "archive": {
            "pages": len(pages),
            "articles": len(outcomes),
            "damaged": len(damage),
            "other_origins": dict(elsewhere.most_common()),
            "unreadable_articles": lost,
        },
        "changed": [{"url": o.url, "status": o.status} for o in changed[:CHANGED_LISTED]],
        "seconds": clock.laps,
    }


def account_damage(ctx: RunContext, damage: Sequence[ArchiveDamage]) -> int:
    """Record each damaged span, and each stored article whose archived page lies in one, as
    a failure of this run and in the fetch log (`failures` lists them until a fetch replaces
    the page); return how many articles have no readable archived page."""
    for hurt in damage:
        resumed = f", read again from offset {hurt.resumed_at}" if hurt.resumed_at else ""
        where = f"{hurt.file}:{hurt.offset}"
        ctx.report.fail(Failure(where, "archive", f"{hurt.reason}{resumed}"))
    refs = ctx.store.archived_articles([h.file for h in damage]) if damage else {}
    reasons = {
        url: f"archived page unreadable ({ref}, a damaged WARC record); fetching it again "
        "(backfill --refetch) replaces it"
        for url, ref in refs.items()
        if any(h.holds(ref) for h in damage)
    }
    if reasons:
        with ctx.db_lock:
            ctx.store.mark_archive_unreadable(reasons)
    for url, reason in sorted(reasons.items()):
        ctx.report.fail(Failure(url, "archive", reason, _edition(ctx, url)))
    return len(reasons)


class _Stopwatch:
    """Seconds spent per phase, for the summary (where the time of a reprocess goes)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 2)
        self._last = now


def _offline(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"reprocess works offline: refused {request.url}")


def _analyse_archive(
    ctx: RunContext, archive: Path, editions: Sequence[str] | None
) -> list[SpanWork]:
    """Read and analyse the archive's article pages, a span of a file at a time; return what
    each span gave, in archive order.

    The spans go to the worker processes once they have started (each reads its span from
    the file); until then, and whenever each worker already has two spans in hand, this
    process does the next span itself rather than wait (on a shared machine that is a third
    process at work; on idle cores it costs nothing).
    """
    spans = archive_spans(archive, SPAN_BYTES)
    progress("re-extracted", 0)
    work: list[Future[SpanWork]] = []
    in_hand: list[Future[SpanWork]] = []  # sent to the workers and not yet done
    read: list[SpanWork] = []
    for span in spans:
        in_hand = [future for future in in_hand if not future.done()]
        pool = _free_workers(ctx, len(in_hand))
        if pool is not None:
            in_hand.append(pool.submit(analyse_span, archive, span, ctx.profile, editions))
            work.append(in_hand[-1])
        else:
            work.append(_finished(reread_span(archive, span, ctx.profile, editions)))
        while len(read) < len(work) and work[len(read)].done():
            read.append(_collected(work[len(read)]))
    read += [_collected(future) for future in work[len(read) :]]
    progress("re-extracted", 0, total=sum(len(done.pages) for done in read))
    return _rejoined(ctx, archive, read, editions)


def _collected(future: Future[SpanWork]) -> SpanWork:
    """Return a span's work, its CPU added to this process's totals, its pages to progress."""
    done = future.result()
    cputime.add(done.cpu)
    progress("re-extracted", len(done.pages))  # the total is known only at the end
    return done


def _free_workers(ctx: RunContext, in_hand: int) -> LazyProcessPool | None:
    """Return the workers if the next span goes to them: they have started, and hold fewer
    than SPANS_IN_HAND spans each."""
    pool = ctx.executor
    if pool is None or not pool.ready() or in_hand >= SPANS_IN_HAND * pool.workers:
        return None
    return pool


def _rejoined(
    ctx: RunContext, archive: Path, read: list[SpanWork], editions: Sequence[str] | None
) -> list[SpanWork]:
    """Return the spans' work, each file's read again whole where its spans did not join
    (one began elsewhere than where the one before it stopped: bytes that looked like a
    record's start inside another record, or damage at a span's edge)."""
    by_file: dict[str, list[SpanWork]] = defaultdict(list)
    for done in read:
        by_file[done.span.file].append(done)
    joined: list[SpanWork] = []
    for name, spans in by_file.items():
        if all(a.joins(b) for a, b in itertools.pairwise(spans)):
            joined += spans
        else:
            log.info("spans of %s did not join up: read it again whole", name)
            joined.append(reread_span(archive, ArchiveSpan(name, 0), ctx.profile, editions))
    return joined


def _by_url(pages: Iterable[RereadPage]) -> list[UrlResults]:
    """Group the pages by URL (in URL order), each URL's versions oldest first."""
    groups: dict[str, list[RereadPage]] = defaultdict(list)
    for page in pages:
        groups[page.url].append(page)
    found = []
    for url in sorted(groups):
        versions = sorted(groups[url], key=lambda p: p.fetched_at)
        found.append((url, [(p.fetched_at, p.result) for p in versions]))
    return found


def _store_all(
    ctx: RunContext, pages: Sequence[RereadPage], selection: Selection
) -> list[UpsertOutcome]:
    """Store what the pages gave, a URL at a time in URL order, STORE_CHUNK URLs a transaction."""
    for page in pages:
        ctx.report.add(page.edition, "discovered")  # found in the archive
    outcomes: list[UpsertOutcome] = []  # one per re-extracted article
    pending: list[Reextracted] = []
    for group in _by_url(pages):
        item = _reextracted(ctx, group, selection)
        if item is not None:
            pending.append(item)
        if len(pending) >= STORE_CHUNK:
            outcomes += _store(ctx, pending)
            pending = []
    return outcomes + _store(ctx, pending)


def _finished(work: SpanWork) -> Future[SpanWork]:
    future: Future[SpanWork] = Future()
    future.set_result(work)
    return future


def _reextracted(ctx: RunContext, found: UrlResults, selection: Selection) -> Reextracted | None:
    """Return one URL's current text and earlier versions (None: none extracted, or not
    selected)."""
    url, results = found
    good = [r for _, r in results if isinstance(r, AnalysedArticle)]
    if not good:
        last = results[-1][1]
        reason = last.reason if isinstance(last, AnalysisFailure) else ""
        ctx.report.fail(Failure(url, "extract", reason, _edition(ctx, url)))
        return None
    item = _item(good, results[0][0])
    return item if _selected(ctx, item, selection) else None


def _item(good: list[AnalysedArticle], first: datetime) -> Reextracted:
    versions = [
        v for i, v in enumerate(good) if i == 0 or v.content_hash != good[i - 1].content_hash
    ]
    return Reextracted(good[-1], tuple(versions), first)


def _selected(ctx: RunContext, item: Reextracted, selection: Selection) -> bool:
    published = item.current.article.published_at
    if selection.date_from is None and selection.date_to is None:
        return True
    if published is None:
        return False
    day = published.astimezone(ctx.zone()).date()
    return (selection.date_from or date.min) <= day <= (selection.date_to or date.max)


def _store(ctx: RunContext, items: Sequence[Reextracted]) -> list[UpsertOutcome]:
    """Write re-extracted articles in one transaction; count what changed."""
    if not items:
        return []
    with ctx.db_lock, cputime.stage("store"):
        outcomes = ctx.store.reextract_articles(items)
    for outcome in outcomes:
        ctx.report.add(outcome.edition, outcome.status)
    return outcomes


def _relink(ctx: RunContext, changed: Sequence[UpsertOutcome]) -> None:
    """Re-form the stories of what changed (explicit links first, then by content)."""
    if not changed:
        return
    ids = [o.article_id for o in changed]
    with ctx.db_lock:
        link_explicit(ctx, ids)
        link_by_content(ctx, ids)


def _edition(ctx: RunContext, url: str) -> str:
    key = article_key(url, ctx.profile)
    return key.edition if key else "?"
