"""Articles the site took down or moved: removal marks, slug changes, and reading them back.

A revisit that gets 404 or 410 marks the article removed (the first time it was seen missing,
and the status); every stored revision stays. A redirect from a stored article's URL to
another article URL of the same edition moves the article: it keeps its id and story, takes
the new URL and slug, and keeps the old URL in `moved_from`. The old URL's fetch-log row is
closed (nothing due), so no later run fetches it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from unn_ingest.storage.models import Article, FetchLogEntry

MOVED_STATUS = 301  # what an article moved onto a URL already stored is marked removed with


@dataclass(frozen=True, slots=True)
class Move:
    """A stored article's URL that now redirects to another article URL of its edition."""

    old_url: str
    new_url: str
    new_slug: str


@dataclass(frozen=True, slots=True)
class RemovedArticle:
    """An article the site no longer serves."""

    id: int
    edition: str
    url: str
    published_at: datetime | None
    removed_at: datetime
    removed_status: int


def mark_removed(conn: Connection, gone: Sequence[tuple[str, int]], at: datetime) -> list[int]:
    """Mark the stored articles at these URLs removed (status per URL); return their ids.

    An article already marked keeps the time it was first seen missing.
    """
    ids = []
    for url, status in sorted(gone):
        query = update(Article).where(Article.url == url)
        query = query.values(
            removed_at=func.coalesce(Article.removed_at, at), removed_status=status
        )
        row = conn.execute(query.returning(Article.id)).first()
        if row is not None:
            ids.append(int(row.id))
    return ids


def move_articles(conn: Connection, moves: Sequence[Move], at: datetime) -> list[int]:
    """Give each moved article its new URL and slug (id and story kept); return their ids.

    When the new URL is already stored as another article (a run fetched it before it saw the
    redirect), the old article is marked removed with status 301 and the other one records
    where it came from: both stay, and nothing is lost.
    """
    ids = []
    for move in sorted(moves, key=lambda m: m.old_url):
        old = conn.execute(select(Article.id).where(Article.url == move.old_url)).first()
        if old is None:
            continue
        taken = conn.execute(select(Article.id).where(Article.url == move.new_url)).first()
        if taken is None:
            values = {"url": move.new_url, "slug": move.new_slug, "moved_from": move.old_url}
            conn.execute(update(Article).where(Article.id == old.id).values(**values))
        else:
            mark_removed(conn, [(move.old_url, MOVED_STATUS)], at)
            conn.execute(
                update(Article)
                .where(Article.id == taken.id, Article.moved_from.is_(None))
                .values(moved_from=move.old_url)
            )
        _close_fetch_row(conn, move.old_url)
        ids.append(int(old.id))
    return ids


def removed_since(conn: Connection, when: datetime | None = None) -> list[RemovedArticle]:
    """Return the articles marked removed at or after `when` (None: all), latest first."""
    query = select(
        Article.id,
        Article.edition,
        Article.url,
        Article.published_at,
        Article.removed_at,
        Article.removed_status,
    ).where(Article.removed_at.is_not(None))
    if when is not None:
        query = query.where(Article.removed_at >= when)
    query = query.order_by(Article.removed_at.desc(), Article.id)
    return [
        RemovedArticle(row.id, row.edition, row.url, row.published_at, at, int(status))
        for row in conn.execute(query)
        if (at := row.removed_at) is not None and (status := row.removed_status) is not None
    ]


def _close_fetch_row(conn: Connection, url: str) -> None:
    """Leave a moved-away URL in the fetch log with nothing due and no error."""
    conn.execute(
        update(FetchLogEntry)
        .where(FetchLogEntry.url == url)
        .values(status=MOVED_STATUS, next_attempt_at=None, last_error=None, stage=None)
    )
