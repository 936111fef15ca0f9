"""Articles the site takes down or moves: find them, and record them as such.

A stored article that the site stops listing is re-checked (a conditional GET) when the
listings this run read cover its publish time: the only stored articles missing from such a
span are the ones the site removed or moved. A 404 or 410 for a stored article marks it
removed (not a failure: nothing is retried); a redirect from a stored article's URL to another
article URL of the same edition is a move (the article keeps its id and story).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from unn_ingest.extractors import clock
from unn_ingest.extractors.analysis import AnalysisFailure
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import AnalysedArticle, DiscoveredItem
from unn_ingest.extractors.urls import article_key
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import FetchOutcome, FetchRequest
from unn_ingest.storage import Move

log = logging.getLogger(__name__)

GONE = frozenset({404, 410})
UNLISTED_SHARE = 0.25  # an unlisted article is re-checked after this share of its age...
UNLISTED_MIN = timedelta(minutes=10)  # ...or this long, if that is later (and revisit_min is)


def unlisted_requests(
    ctx: RunContext, items: Sequence[DiscoveredItem], editions: Sequence[str]
) -> list[FetchRequest]:
    """Return re-checks of stored articles missing from the span of times the listings covered.

    Per edition, the span runs from the oldest to the newest listed publish time. An unlisted
    article is re-checked no sooner than `UNLISTED_SHARE` of its age after its last check: a
    removal or a move is seen within a quarter of the article's age (while the span still
    covers it), and an article the site never lists costs a few checks, not one per run.
    """
    now = clock.now()
    requests = []
    for edition in editions:
        listed = [i for i in items if i.published_at is not None and i.edition == edition]
        times = [i.published_at for i in listed if i.published_at is not None]
        if not times:
            continue
        unlisted = ctx.store.unlisted_articles(
            edition, min(times), max(times), (i.url for i in listed)
        )
        due = [url for url, published, last in unlisted if _due(ctx, now, published, last)]
        states = ctx.store.fetch_states(due)
        for url in due:
            state = states.get(url)
            etag, modified = (state.etag, state.last_modified) if state else (None, None)
            requests.append(FetchRequest(url, etag, modified))
    if requests:
        log.info("re-checking %d stored articles the listings no longer show", len(requests))
    return requests


def _due(ctx: RunContext, now: datetime, published: datetime | None, last: datetime) -> bool:
    """Tell whether an unlisted article is due for a re-check, by its age now: soon, even when
    the regular schedule is sparser, since a stored article missing from what the listings
    cover has most likely been removed or moved (its new URL is to be taken as a move, not
    as a new article)."""
    age = now - published if published is not None else timedelta(0)
    floor = min(ctx.revisit_min, UNLISTED_MIN)
    return now - last >= max(floor, age * min(UNLISTED_SHARE, ctx.revisit_age_factor))


def gone_articles(ctx: RunContext, outcomes: Sequence[FetchOutcome]) -> dict[str, int]:
    """Return {url: status} of the outcomes that are stored articles answering 404 or 410."""
    candidates = {o.url: o.status for o in outcomes if o.status in GONE and o.page is None}
    if not candidates:
        return {}
    stored = ctx.store.known_article_urls(candidates)
    return {url: int(status) for url, status in candidates.items() if url in stored and status}


def as_removed(outcome: FetchOutcome) -> FetchOutcome:
    """Return the outcome as the fetch log keeps a removal: an answer, not a failure to retry."""
    return replace(outcome, error=None, transient=False)


def mark_gone(ctx: RunContext, gone: dict[str, int], at: datetime) -> None:
    """Mark the stored articles removed and count them in the run's report."""
    ctx.store.mark_removed(sorted(gone.items()), at)
    for url, status in sorted(gone.items()):
        edition = _edition(ctx, url) or "?"
        ctx.report.add(edition, "removed")
        log.info("removed by the site (HTTP %d): %s", status, url)


def apply_moves(
    ctx: RunContext,
    pages: Sequence[FetchedPage],
    analysed: Sequence[AnalysedArticle | AnalysisFailure],
) -> set[str]:
    """Record the moves among these pages (a stored URL redirected to another article URL of
    its edition) before they are stored, so each updates its article instead of adding one;
    return the old URLs moved (their fetch-log rows are closed)."""
    found = [
        (page.url, result)
        for page, result in zip(pages, analysed, strict=True)
        if isinstance(result, AnalysedArticle) and _moved(ctx, page.url, result.article.url)
    ]
    if not found:
        return set()
    stored = ctx.store.known_article_urls(old for old, _ in found)
    moves = [Move(old, r.article.url, r.article.slug) for old, r in found if old in stored]
    if not moves:
        return set()
    ctx.store.move_articles(moves, clock.now())
    for move in moves:
        ctx.report.add(_edition(ctx, move.new_url) or "?", "moved")
        log.info("moved by the site: %s -> %s", move.old_url, move.new_url)
    return {move.old_url for move in moves}


def _moved(ctx: RunContext, old: str, new: str) -> bool:
    """Tell whether `old` redirected to another article URL of the same edition."""
    if old == new:
        return False
    before, after = article_key(old, ctx.profile), article_key(new, ctx.profile)
    return (
        before is not None
        and after is not None
        and before.edition == after.edition
        and before.slug != after.slug
    )


def _edition(ctx: RunContext, url: str) -> str | None:
    key = article_key(url, ctx.profile)
    return key.edition if key else None
