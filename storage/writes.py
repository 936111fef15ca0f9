"""Writing pages and fetches: article upserts with revisions, explicit links, the fetch log.

Every write is an upsert on a database constraint, so re-runs and overlapping runs are
idempotent: two writers racing on one article end with one row. Rows are touched in key order
so that concurrent PostgreSQL transactions never deadlock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from extractors.records import EditionLink
from storage.errors import StorageError
from storage.models import Article, ArticleRevision, EditionLinkEntry, FetchLogEntry
from storage.records import ArticleInput, FetchRecord
from storage.rows import UpsertOutcome
from storage.sql import chunked, insert, lock_rows

RETRY_BASE = timedelta(minutes=5)
RETRY_CAP = timedelta(days=1)


def upsert_articles(conn: Connection, inputs: Sequence[ArticleInput]) -> list[UpsertOutcome]:
    """Insert new articles, update changed ones (keeping a revision), touch unchanged ones."""
    order = sorted(
        range(len(inputs)), key=lambda i: (inputs[i].article.edition, inputs[i].article.slug)
    )
    outcomes: dict[int, UpsertOutcome] = {}
    for index in order:
        outcomes[index] = _upsert_one(conn, inputs[index])
        add_edition_links(conn, outcomes[index].article_id, inputs[index].article.links)
    return [outcomes[index] for index in range(len(inputs))]


def add_edition_links(conn: Connection, article_id: int, links: Sequence[EditionLink]) -> None:
    """Store the explicit links a page carries (additive; links to the page itself are skipped)."""
    own_url = conn.execute(select(Article.url).where(Article.id == article_id)).scalar_one()
    rows = [
        {"from_article_id": article_id, "edition": x.edition, "to_url": x.url, "method": x.method}
        for x in dict.fromkeys(links)
        if x.url != own_url
    ]
    if rows:
        conn.execute(insert(conn, EditionLinkEntry).on_conflict_do_nothing(), rows)


def record_fetches(conn: Connection, records: Sequence[FetchRecord]) -> None:
    """Upsert the fetch log: an error counts an attempt and schedules a retry; success resets."""
    ordered = sorted(records, key=lambda r: r.url)
    for success in (True, False):
        rows = [_fetch_row(r) for r in ordered if (r.error is None) is success]
        if rows:
            conn.execute(_fetch_upsert(conn, failed=not success), rows)
    failed = {r.url: r.fetched_at for r in ordered if r.error is not None}
    _schedule_retries(conn, failed)


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


def _upsert_one(conn: Connection, item: ArticleInput) -> UpsertOutcome:
    page = item.article
    at = item.fetched_at
    stmt = (
        insert(conn, Article)
        .values(
            **_content(item),
            edition=page.edition,
            slug=page.slug,
            url=page.url,
            link_method="none",
            first_seen_at=at,
            last_fetched_at=at,
            last_changed_at=at,
        )
        .on_conflict_do_nothing()
        .returning(Article.id)
    )
    new_id = conn.execute(stmt).scalar_one_or_none()
    if new_id is not None:
        return UpsertOutcome(new_id, page.url, page.edition, "new")
    return _refresh(conn, item)


def _refresh(conn: Connection, item: ArticleInput) -> UpsertOutcome:
    page = item.article
    same_key = and_(Article.edition == page.edition, Article.slug == page.slug)
    query = (
        select(Article)
        .where(or_(same_key, Article.url == page.url))
        .order_by(same_key.desc())
        .limit(1)
    )
    if lock_rows(conn):
        query = query.with_for_update()
    row = conn.execute(query).one()
    outcome = UpsertOutcome(row.id, row.url, row.edition, "unchanged")
    # An older fetch finishing late must not overwrite newer content.
    if row.content_hash == item.content_hash or item.fetched_at < row.last_fetched_at:
        touched = max(row.last_fetched_at, item.fetched_at)
        conn.execute(update(Article).where(Article.id == row.id).values(last_fetched_at=touched))
        return outcome
    conn.execute(
        insert(conn, ArticleRevision)
        .values(
            article_id=row.id,
            title=row.title,
            lead=row.lead,
            body=row.body,
            content_hash=row.content_hash,
            valid_until=item.fetched_at,
        )
        .on_conflict_do_nothing()
    )
    conn.execute(
        update(Article)
        .where(Article.id == row.id)
        .values(**_content(item), last_fetched_at=item.fetched_at, last_changed_at=item.fetched_at)
    )
    return UpsertOutcome(row.id, row.url, row.edition, "updated")


def _content(item: ArticleInput) -> dict[str, Any]:
    page = item.article
    return {
        "title": page.title,
        "lead": page.lead,
        "body": page.body,
        "authors": list(page.authors),
        "rubric": page.rubric,
        "tags": list(page.tags),
        "image_url": page.image_url,
        "published_at": page.published_at,
        "modified_at": page.modified_at,
        "lang_detected": item.lang.language,
        "lang_confidence": item.lang.confidence,
        "lang_method": item.lang.method,
        "lang_mismatch": item.lang_mismatch,
        "word_count": item.word_count,
        "content_hash": item.content_hash,
        "minhash": item.minhash,
        "extractor_version": page.extractor_version,
    }


def _fetch_row(record: FetchRecord) -> dict[str, Any]:
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
        "next_attempt_at": record.fetched_at + _backoff(1) if failed else None,
        "last_fetched_at": record.fetched_at,
        "archive_ref": record.archive_ref,
    }


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
    }
    return stmt.on_conflict_do_update(index_elements=["url"], set_=changes)


def _schedule_retries(conn: Connection, failed: dict[str, datetime]) -> None:
    """Push the next attempt of repeatedly failing URLs back exponentially."""
    for chunk in chunked(list(failed)):
        query = select(FetchLogEntry.url, FetchLogEntry.attempts).where(
            FetchLogEntry.url.in_(chunk), FetchLogEntry.attempts > 1
        )
        for url, attempts in conn.execute(query).all():
            conn.execute(
                update(FetchLogEntry)
                .where(FetchLogEntry.url == url)
                .values(next_attempt_at=failed[url] + _backoff(attempts))
            )


def _backoff(attempts: int) -> timedelta:
    return min(RETRY_BASE * (1 << min(attempts - 1, 20)), RETRY_CAP)
