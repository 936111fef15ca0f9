"""Apply the linking decisions of `extractors.linking` / `extractors.matching` to the store.

Explicit links (hreflang, switcher) are applied after every batch; content links and
near-duplicates once per run (a backfill: once per day), over a time window around what the
run stored. What a run stored but did not get to link (it died, or was stopped) is its link
debt, kept in the database: `settle_link_debt` finishes it first thing in the next run that
covers those days.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import partial

from unn_ingest.extractors.fingerprint import Fingerprint, fact_keys, find_duplicates
from unn_ingest.extractors.heap import paused_gc
from unn_ingest.extractors.linking import LinkEdge, form_stories
from unn_ingest.extractors.matching import ArticleFeatures, article_features, match_editions
from unn_ingest.flows import cputime
from unn_ingest.flows.context import RunContext
from unn_ingest.storage import ArticleRow, LinkGraph, StoryGroup, StoryMember

log = logging.getLogger(__name__)
CONTENT_WINDOW = timedelta(days=1)  # translations carry the original's publish time
# A republication comes a day or more after its original, and may be stored first.
DUPLICATE_WINDOW = timedelta(days=2)
# `ingest` settles the link debt of the days it works on: up to two days before the newest
# stored article (as recency is measured against the site's newest item, not the local clock).
RECENT_DEBT = timedelta(hours=48)


def settle_link_debt(
    ctx: RunContext, date_from: date | None = None, date_to: date | None = None
) -> int:
    """Finish the linking earlier runs left undone, first thing in a run: for the articles
    published on the site's local dates date_from..date_to (None: unbounded), and those with
    no publish time. A backfill and a reprocess settle their dates, an ingest `recent_days`.

    Story formation, then content linking and near-duplicates, a day at a time, whoever
    stored them. Return how many articles were settled.
    """
    start, end = _local_span(ctx, date_from, date_to)
    debt = ctx.store.link_debt(start, end)
    if not debt:
        return 0
    log.info("link debt: %d stored articles wait for linking; linking them first", len(debt))
    for ids in _by_day(ctx, debt).values():
        ctx.stop.check()
        with ctx.db_lock:
            link_explicit(ctx, ids)
            link_by_content(ctx, ids)  # settles their debt
    return len(debt)


def recent_days(ctx: RunContext) -> tuple[date | None, date | None]:
    """Return the days an ingest settles: from two days before the newest stored article."""
    newest = ctx.store.newest_published()
    if newest is None:
        return None, None
    return (newest - RECENT_DEBT).astimezone(ctx.zone()).date(), None


def _local_span(
    ctx: RunContext, date_from: date | None, date_to: date | None
) -> tuple[datetime | None, datetime | None]:
    """Return the first and last instant of the site's local dates (None: unbounded)."""
    zone = ctx.zone()
    start = datetime.combine(date_from, time.min, zone) if date_from else None
    if date_to is None:
        return start, None
    return start, datetime.combine(
        date_to + timedelta(days=1), time.min, zone
    ) - timedelta.resolution


def _by_day(ctx: RunContext, debt: Sequence[tuple[int, datetime | None]]) -> dict[date, list[int]]:
    """Group article ids by the site-local day they were published (undated ones together)."""
    zone = ctx.zone()
    days: dict[date, list[int]] = defaultdict(list)
    for article_id, published in debt:
        days[published.astimezone(zone).date() if published else date.min].append(article_id)
    return dict(sorted(days.items()))


@cputime.staged("link: explicit")
def link_explicit(ctx: RunContext, article_ids: Sequence[int]) -> int:
    """Re-form the stories of the components these articles belong to; return how many linked."""
    if not article_ids:
        return 0
    graph = ctx.store.link_component(article_ids)
    return _apply(ctx, graph, ())


def graph_edges(graph: LinkGraph) -> list[LinkEdge]:
    """Return a component's explicit edges, plus the content links its stories already hold."""
    edges = list(graph.edges)
    by_story: dict[int, list[int]] = defaultdict(list)
    for node in graph.nodes:
        if node.story_id is not None:
            by_story[node.story_id].append(node.article_id)
    methods = {n.article_id: (n.link_method, n.link_score) for n in graph.nodes}
    for members in by_story.values():
        for member in members:
            method, score = methods[member]
            if method != "content":
                continue
            edges += [
                LinkEdge(member, other, "content", score or 0.0)
                for other in members
                if other != member
            ]
    return edges


def _apply(ctx: RunContext, graph: LinkGraph, extra: Iterable[LinkEdge]) -> int:
    """Store the stories the graph forms; return how many of this run's articles got linked."""
    groups = form_stories(graph.nodes, [*graph_edges(graph), *extra])
    ctx.store.apply_story_groups(
        [StoryGroup(tuple(StoryMember(m.article_id, m.method, m.score) for m in g)) for g in groups]
    )
    editions = {n.article_id: n.edition for n in graph.nodes}
    members = [m.article_id for group in groups if len(group) > 1 for m in group]
    return sum(ctx.report.linked(editions[a], a) for a in members)


@cputime.staged("link: by content")
def link_by_content(ctx: RunContext, article_ids: Sequence[int]) -> int:
    """Join stored editions that carry no usable link by their content; mark near-duplicates.

    The articles' link debt is then settled (their story formation came after each batch).
    """
    if not article_ids:
        return 0
    linked = _link_by_content(ctx, article_ids)
    ctx.store.clear_link_debt(article_ids)
    return linked


def _link_by_content(ctx: RunContext, article_ids: Sequence[int]) -> int:
    ids = set(article_ids)
    span = _span(ctx, ids)
    if span is None:
        return 0
    rows = ctx.store.articles_in_window(span[0] - DUPLICATE_WINDOW, span[1] + DUPLICATE_WINDOW)
    duplicates = _mark_duplicates(ctx, rows, ids)
    low, high = span[0] - CONTENT_WINDOW, span[1] + CONTENT_WINDOW
    candidates = [
        r
        for r in rows
        if r.id not in duplicates
        and r.duplicate_of_id is None
        and r.published_at is not None
        and low <= r.published_at <= high
    ]
    with paused_gc():  # many small acyclic objects (see `extractors.heap`)
        features = {r.id: ctx.features.get(r.id) or _features(ctx, r) for r in candidates}
    new = [
        features[r.id] for r in candidates if r.id in ids and r.link_method in ("none", "content")
    ]
    edges = match_editions(new, list(features.values()), _taken(candidates))
    if not edges:
        return 0
    graph = ctx.store.link_component({e.a for e in edges} | {e.b for e in edges})
    return _apply(ctx, graph, edges)


def _span(ctx: RunContext, ids: set[int]) -> tuple[datetime, datetime] | None:
    """Return the first and last publish time of the given articles' link components."""
    times = [n.published_at for n in ctx.store.link_component(ids).nodes if n.published_at]
    return (min(times), max(times)) if times else None


@cputime.staged("link: near-duplicates")
def _mark_duplicates(ctx: RunContext, rows: Sequence[ArticleRow], ids: set[int]) -> set[int]:
    """Record articles that nearly duplicate an earlier one under another URL.

    Both arrival orders: a copy among `ids` is marked against a stored original, and a stored
    copy is marked once its original is among `ids` (a backfill walks the newest day first).
    """
    prints = [
        Fingerprint(r.id, r.edition, r.published_at, r.minhash, _facts(ctx, r))
        for r in rows
        if r.minhash
    ]
    found = find_duplicates([p for p in prints if p.article_id in ids], prints)
    for article_id, (original, score) in found.items():
        ctx.store.mark_duplicate(article_id, original, score)
    return set(found)


def _facts(ctx: RunContext, row: ArticleRow) -> frozenset[str] | Callable[[], frozenset[str]]:
    """Return a row's number keys if this run has them, else how to compute them: only a
    near-duplicate candidate's are asked for (`Fingerprint.numbers`)."""
    known = ctx.facts.get(row.id)
    return known if known is not None else partial(_row_facts, row)


def _row_facts(row: ArticleRow) -> frozenset[str]:
    return fact_keys(row.title, row.lead, row.body.split("\n\n"))


def _features(ctx: RunContext, row: ArticleRow) -> ArticleFeatures:
    paragraphs = row.body.split("\n\n")
    return article_features(
        row.id,
        row.edition,
        row.published_at,
        row.title,
        row.lead,
        paragraphs,
        row.image_url,
        furniture=ctx.profile.furniture(),
    )


def _taken(rows: Sequence[ArticleRow]) -> dict[int, set[str]]:
    """Map each article to the editions its story already holds besides itself."""
    by_story: dict[int, list[ArticleRow]] = defaultdict(list)
    for row in rows:
        if row.story_id is not None:
            by_story[row.story_id].append(row)
    return {
        row.id: {o.edition for o in by_story[row.story_id] if o.id != row.id}
        for row in rows
        if row.story_id is not None
    }
