"""Reading records back: fetch states, linker candidates, story listings and single articles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select
from sqlalchemy.orm import aliased

from unn_ingest.storage.models import (
    Article,
    ArticleRevision,
    EditionLinkEntry,
    FetchLogEntry,
    Story,
)
from unn_ingest.storage.rows import (
    ArticleRow,
    ArticleView,
    FetchState,
    RevisionView,
    StoryEdition,
    StorySummary,
)
from unn_ingest.storage.sql import chunked, unique

EDITION_ORDER = {"uk": 0, "en": 1, "ru": 2}
EDITION_COLUMNS = (
    Article.id,
    Article.edition,
    Article.title,
    Article.url,
    Article.link_method,
    Article.link_score,
    Article.removed_at,
)


def fetch_states(conn: Connection, urls: Iterable[str]) -> dict[str, FetchState]:
    """Return what the fetch log holds for each known URL among these."""
    states: dict[str, FetchState] = {}
    columns = [getattr(FetchLogEntry, f.name) for f in fields(FetchState)]
    for chunk in chunked(unique(urls)):
        query = select(*columns).where(FetchLogEntry.url.in_(chunk))
        states.update((row.url, FetchState(*row)) for row in conn.execute(query))
    return states


def known_article_urls(conn: Connection, urls: Iterable[str]) -> set[str]:
    """Return the URLs among these that are stored as articles."""
    known: set[str] = set()
    for chunk in chunked(unique(urls)):
        known.update(conn.execute(select(Article.url).where(Article.url.in_(chunk))).scalars())
    return known


def article_titles(conn: Connection, urls: Iterable[str]) -> dict[str, str]:
    """Return url -> stored title of the URLs among these that are stored as articles."""
    titles: dict[str, str] = {}
    for chunk in chunked(unique(urls)):
        query = select(Article.url, Article.title).where(Article.url.in_(chunk))
        titles.update((row.url, row.title) for row in conn.execute(query))
    return titles


def articles_in_window(
    conn: Connection, start: datetime, end: datetime, editions: Sequence[str] | None = None
) -> list[ArticleRow]:
    """Return articles published in [start, end], optionally of some editions, oldest first."""
    columns = [getattr(Article, f.name) for f in fields(ArticleRow)]
    query = select(*columns).where(Article.published_at >= start, Article.published_at <= end)
    if editions is not None:
        query = query.where(Article.edition.in_(list(editions)))
    query = query.order_by(Article.published_at, Article.id)
    return [ArticleRow(*row) for row in conn.execute(query)]


def unlisted_articles(
    conn: Connection, edition: str, start: datetime, end: datetime, listed: set[str]
) -> list[tuple[str, datetime | None, datetime]]:
    """Return (url, published, last fetched) of stored, not removed articles of one edition
    published in [start, end] that are not among the `listed` URLs."""
    query = (
        select(Article.url, Article.published_at, Article.last_fetched_at)
        .where(Article.edition == edition, Article.removed_at.is_(None))
        .where(Article.published_at >= start, Article.published_at <= end)
        .order_by(Article.published_at, Article.id)
    )
    rows = conn.execute(query)
    return [(r.url, r.published_at, r.last_fetched_at) for r in rows if r.url not in listed]


def stories(
    conn: Connection, limit: int = 20, offset: int = 0, edition: str | None = None
) -> list[StorySummary]:
    """Return stories with their editions, newest first by their earliest edition's time."""
    first = func.min(Article.published_at).label("first")
    query = select(Article.story_id, first).where(Article.story_id.is_not(None))
    query = query.group_by(Article.story_id)
    if edition is not None:
        has_edition = func.sum(case((Article.edition == edition, 1), else_=0))
        query = query.having(has_edition > 0)
    query = query.order_by(first.desc().nulls_last(), Article.story_id.desc())
    heads = conn.execute(query.limit(limit).offset(offset)).all()
    editions = _story_editions(conn, [int(row.story_id) for row in heads])
    return [StorySummary(row.story_id, row.first, editions.get(row.story_id, ())) for row in heads]


def story(conn: Connection, story_id: int) -> StorySummary | None:
    """Return one story with its editions, or None."""
    first = conn.execute(
        select(func.min(Article.published_at)).where(Article.story_id == story_id)
    ).scalar()
    editions = _story_editions(conn, [story_id]).get(story_id, ())
    return StorySummary(story_id, first, editions) if editions else None


def article(conn: Connection, url_or_id: str | int) -> ArticleView | None:
    """Return everything stored about one article, by id or URL, or None."""
    duplicate = aliased(Article)
    query = select(Article, duplicate.url.label("duplicate_of_url")).outerjoin(
        duplicate, duplicate.id == Article.duplicate_of_id
    )
    if isinstance(url_or_id, int) or url_or_id.isdigit():
        query = query.where(Article.id == int(url_or_id))
    else:
        query = query.where(Article.url == url_or_id)
    row = conn.execute(query).mappings().first()
    if row is None:
        return None
    return _view(conn, dict(row))


def counts(conn: Connection) -> dict[str, Any]:
    """Return totals: stories, articles per edition, revisions, duplicates, fetch errors."""
    per_edition = conn.execute(
        select(Article.edition, func.count()).group_by(Article.edition).order_by(Article.edition)
    ).all()
    return {
        "stories": _count(conn, select(func.count()).select_from(Story)),
        "articles": {edition: int(n) for edition, n in per_edition},
        "revisions": _count(conn, select(func.count()).select_from(ArticleRevision)),
        "duplicates": _count(
            conn, select(func.count()).where(Article.duplicate_of_id.is_not(None))
        ),
        "fetch_errors": _count(
            conn, select(func.count()).where(FetchLogEntry.last_error.is_not(None))
        ),
    }


def link_method_counts(conn: Connection) -> dict[str, int]:
    """Return how many articles joined their story by each method (hreflang, ..., none)."""
    query = select(Article.link_method, func.count()).group_by(Article.link_method)
    return {method: int(n) for method, n in conn.execute(query.order_by(Article.link_method))}


def _count(conn: Connection, query: Any) -> int:
    return int(conn.execute(query).scalar_one())


def _story_editions(conn: Connection, story_ids: list[int]) -> dict[int, tuple[StoryEdition, ...]]:
    found: dict[int, list[StoryEdition]] = {}
    for chunk in chunked(story_ids):
        query = select(Article.story_id, *EDITION_COLUMNS).where(Article.story_id.in_(chunk))
        for row in conn.execute(query):
            found.setdefault(row.story_id, []).append(StoryEdition(*row[1:]))
    return {story: _ordered(items) for story, items in found.items()}


def _ordered(items: Iterable[StoryEdition]) -> tuple[StoryEdition, ...]:
    return tuple(
        sorted(items, key=lambda e: (EDITION_ORDER.get(e.edition, 9), e.edition, e.article_id))
    )


def _view(conn: Connection, row: dict[str, Any]) -> ArticleView:
    values = {f.name: row[f.name] for f in fields(ArticleView) if f.name in row}
    values.update(authors=tuple(row["authors"] or ()), tags=tuple(row["tags"] or ()))
    values.update(images=tuple(row["images"] or ()), sections=tuple(row["sections"] or ()))
    return ArticleView(
        **values,
        revisions=_revisions(conn, row["id"]),
        siblings=_siblings(conn, row["id"], row["story_id"]),
        links=_links(conn, row["id"]),
    )


def _revisions(conn: Connection, article_id: int) -> tuple[RevisionView, ...]:
    columns = [getattr(ArticleRevision, f.name) for f in fields(RevisionView)]
    query = (
        select(*columns)
        .where(ArticleRevision.article_id == article_id)
        .order_by(ArticleRevision.valid_until, ArticleRevision.id)
    )
    return tuple(RevisionView(*r) for r in conn.execute(query))


def _siblings(conn: Connection, article_id: int, story_id: int | None) -> tuple[StoryEdition, ...]:
    if story_id is None:
        return ()
    query = select(*EDITION_COLUMNS).where(Article.story_id == story_id, Article.id != article_id)
    return _ordered(StoryEdition(*r) for r in conn.execute(query))


def _links(conn: Connection, article_id: int) -> tuple[tuple[str, str, str], ...]:
    link = EditionLinkEntry
    query = (
        select(link.edition, link.to_url, link.method)
        .where(link.from_article_id == article_id)
        .order_by(link.edition, link.method, link.to_url)
    )
    return tuple((r.edition, r.to_url, r.method) for r in conn.execute(query))
