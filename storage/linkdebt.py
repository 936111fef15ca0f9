"""Link debt: articles stored but not yet through story formation and content linking.

An article is marked in the transaction that stores it (`articles.upsert_articles`,
`reextract.reextract_articles`) and cleared here once the pipeline has linked it, so a run
that dies between storing and linking leaves the work recorded for the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, update

from unn_ingest.storage.models import Article
from unn_ingest.storage.sql import chunked


def pending(
    conn: Connection,
    start: datetime | None,
    end: datetime | None,
    undated: bool,
) -> list[tuple[int, datetime | None]]:
    """Return (id, published_at) of the articles waiting for linking published in
    [start, end] (None: unbounded), and those with no publish time when `undated`."""
    bounds: list[ColumnElement[bool]] = [Article.published_at.is_not(None)]
    if start is not None:
        bounds.append(Article.published_at >= start)
    if end is not None:
        bounds.append(Article.published_at <= end)
    window = and_(*bounds)
    where = or_(window, Article.published_at.is_(None)) if undated else window
    query = (
        select(Article.id, Article.published_at)
        .where(Article.link_pending.is_(True), where)
        .order_by(Article.id)
    )
    return [(row.id, row.published_at) for row in conn.execute(query)]


def clear(conn: Connection, article_ids: Sequence[int]) -> None:
    """Mark these articles as linked (their debt settled)."""
    for chunk in chunked(sorted(set(article_ids))):
        conn.execute(
            update(Article)
            .where(Article.id.in_(chunk), Article.link_pending.is_(True))
            .values(link_pending=False)
        )


def count(conn: Connection) -> int:
    """Return how many articles wait for linking."""
    query = select(func.count()).select_from(Article).where(Article.link_pending.is_(True))
    return int(conn.execute(query).scalar_one())


def newest_published(conn: Connection) -> datetime | None:
    """Return the newest publish time of any stored article (None: nothing stored)."""
    return conn.execute(select(func.max(Article.published_at))).scalar_one_or_none()
