"""Reads for freshness and health: publish-to-store lags, arrivals, what is still missing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select

from unn_ingest.storage.models import Article, FetchLogEntry


def publish_lags(
    conn: Connection, start: datetime, end: datetime | None = None
) -> list[tuple[str, datetime, datetime]]:
    """Return (edition, published_at, first_seen_at) of articles published in [start, end)."""
    query = select(Article.edition, Article.published_at, Article.first_seen_at).where(
        Article.published_at >= start
    )
    if end is not None:
        query = query.where(Article.published_at < end)
    return [(ed, pub, seen) for ed, pub, seen in conn.execute(query) if pub is not None]


def arrivals(conn: Connection, start: datetime) -> dict[str, int]:
    """Return edition -> articles first stored at or after `start`."""
    query = (
        select(Article.edition, func.count())
        .where(Article.first_seen_at >= start)
        .group_by(Article.edition)
    )
    return {edition: int(count) for edition, count in conn.execute(query)}


def unstored_urls(conn: Connection, since: datetime | None = None) -> list[str]:
    """Return the article URLs in the frontier (discovered since a time, if given) that are
    not stored."""
    stored = select(Article.id).where(Article.url == FetchLogEntry.url).exists()
    query = select(FetchLogEntry.url).where(FetchLogEntry.kind == "article", ~stored)
    if since is not None:
        query = query.where(FetchLogEntry.discovered_at >= since)
    return list(conn.execute(query.order_by(FetchLogEntry.url)).scalars())
