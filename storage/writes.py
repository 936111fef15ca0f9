"""Writing pages and fetches: article upserts with revisions, explicit links, the fetch log.

Every write is an upsert on a database constraint, so re-runs and overlapping runs are
idempotent: two writers racing on one article end with one row. Rows are touched in key order
so that concurrent PostgreSQL transactions never deadlock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from unn_ingest.extractors.records import AnalysedArticle, EditionLink
from unn_ingest.storage import articles
from unn_ingest.storage.errors import StorageError
from unn_ingest.storage.models import Article, EditionLinkEntry, FetchLogEntry
from unn_ingest.storage.records import FetchRecord, RetryDelays
from unn_ingest.storage.rows import UpsertOutcome
from unn_ingest.storage.sql import chunked, insert


def upsert_articles(conn: Connection, inputs: Sequence[AnalysedArticle]) -> list[UpsertOutcome]:
    """Upsert pages and store the explicit links each carries (additive)."""
    outcomes = articles.upsert_articles(conn, inputs)
    rows = [
        row
        for item, outcome in zip(inputs, outcomes, strict=True)
        for row in _link_rows(
            outcome.article_id, {outcome.url, item.article.url}, item.article.links
        )
    ]
    if rows:
        conn.execute(insert(conn, EditionLinkEntry).on_conflict_do_nothing(), rows)
    return outcomes


def add_edition_links(conn: Connection, article_id: int, links: Sequence[EditionLink]) -> None:
    """Store the explicit links a page carries (additive; links to the page itself are skipped)."""
    own_url = conn.execute(select(Article.url).where(Article.id == article_id)).scalar_one_or_none()
    if own_url is None:
        raise StorageError(f"cannot store edition links: no article {article_id}")
    rows = _link_rows(article_id, {own_url}, links)
    if rows:
        conn.execute(insert(conn, EditionLinkEntry).on_conflict_do_nothing(), rows)


def _link_rows(
    article_id: int, own_urls: set[str], links: Sequence[EditionLink]
) -> list[dict[str, Any]]:
    return [
        {"from_article_id": article_id, "edition": x.edition, "to_url": x.url, "method": x.method}
        for x in dict.fromkeys(links)
        if x.url not in own_urls
    ]


def record_fetches(
    conn: Connection, records: Sequence[FetchRecord], delays: RetryDelays | None = None
) -> None:
    """Upsert the fetch log: an error counts an attempt and schedules a retry; success resets."""
    delays = delays or RetryDelays()
    ordered = sorted(records, key=lambda r: r.url)
    for success in (True, False):
        rows = [_fetch_row(r, delays) for r in ordered if (r.error is None) is success]
        if rows:
            conn.execute(_fetch_upsert(conn, failed=not success), rows)
    _schedule_retries(conn, [r for r in ordered if r.error is not None], delays)


def mark_duplicate(conn: Connection, article_id: int, duplicate_of_id: int, score: float) -> None:
    """Record that an article repeats an earlier one (same language, another URL)."""
    if article_id == duplicate_of_id:
        raise StorageError(f"article {article_id} cannot duplicate itself")
    exists = conn.execute(select(Article.id).where(Article.id == duplicate_of_id)).first()
    result = conn.execute(
        update(Article)
        .where(Article.id == article_id)
        .values(duplicate_of_id=duplicate_of_id, duplicate_score=score)
    )
    if exists is None or result.rowcount == 0:
        raise StorageError(f"cannot mark duplicate: no article {article_id} or {duplicate_of_id}")


def _fetch_row(record: FetchRecord, delays: RetryDelays) -> dict[str, Any]:
    failed = record.error is not None
    return {
        "url": record.url,
        "kind": record.kind,
        "status": record.status,
        "etag": record.etag,
        "last_modified": record.last_modified,
        "content_hash": record.content_hash,
        "attempts": 1 if failed else 0,
        "last_error": record.error,
        "next_attempt_at": _next_attempt(record, delays),
        "last_fetched_at": record.fetched_at,
        "archive_ref": record.archive_ref,
        "discovered_at": None,
        "stage": record.stage if failed else None,
        "transient": record.transient if failed else None,
    }


def _next_attempt(record: FetchRecord, delays: RetryDelays) -> datetime | None:
    """Return when to try a URL again: after a failure; an article page also after a success.

    An article fetched but not stored (its extraction failed, or the run died before storing
    it) stays due that way: the frontier never treats "fetched" as "done", only "stored"
    (`frontier.due_urls` skips stored articles).
    """
    if record.error is not None:
        return record.fetched_at + delays.after(1, record.transient)
    return record.fetched_at + delays.base if record.kind == "article" else None


def _fetch_upsert(conn: Connection, failed: bool) -> Any:
    stmt = insert(conn, FetchLogEntry)
    new = stmt.excluded
    # A failed or 304 response carries no validators: keep the last good ones.
    keep = {
        name: func.coalesce(getattr(new, name), getattr(FetchLogEntry, name))
        for name in ("etag", "last_modified", "content_hash", "archive_ref")
    }
    changes: dict[str, Any] = {
        **keep,
        "kind": new.kind,
        "status": new.status,
        "attempts": FetchLogEntry.attempts + 1 if failed else 0,
        "last_error": new.last_error,
        "next_attempt_at": new.next_attempt_at,
        "last_fetched_at": new.last_fetched_at,
        "stage": new.stage,
        "transient": new.transient,
    }
    return stmt.on_conflict_do_update(index_elements=["url"], set_=changes)


def _schedule_retries(conn: Connection, failed: Sequence[FetchRecord], delays: RetryDelays) -> None:
    """Push the next attempt of repeatedly failing URLs back exponentially."""
    by_url = {r.url: r for r in failed}
    for chunk in chunked(list(by_url)):
        query = select(FetchLogEntry.url, FetchLogEntry.attempts).where(
            FetchLogEntry.url.in_(chunk), FetchLogEntry.attempts > 1
        )
        for url, attempts in conn.execute(query).all():
            record = by_url[url]
            conn.execute(
                update(FetchLogEntry)
                .where(FetchLogEntry.url == url)
                .values(
                    next_attempt_at=record.fetched_at + delays.after(attempts, record.transient)
                )
            )
