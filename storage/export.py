"""Streaming export: one flat dict per article, in the documented record format."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import aliased

from unn_ingest.storage.models import Article, ArticleRevision
from unn_ingest.storage.types import iso_utc

SITE_ZONE = ZoneInfo("Europe/Kyiv")
EXPORT_FIELDS = (
    "story_id",
    "edition",
    "url",
    "slug",
    "title",
    "lead",
    "body",
    "authors",
    "rubric",
    "tags",
    "image_url",
    "published_at",
    "lang_detected",
    "lang_confidence",
    "lang_mismatch",
    "link_method",
    "link_score",
    "content_hash",
    "revisions",
    "duplicate_of",
    "fetched_at",
)
BATCH = 500


def iter_export(
    conn: Connection, date_from: date | None = None, date_to: date | None = None
) -> Iterator[dict[str, Any]]:
    """Yield export records of articles published on these Kyiv dates (inclusive), streamed."""
    result = conn.execution_options(yield_per=BATCH).execute(_query(date_from, date_to))
    try:
        for row in result:
            yield _record(row._mapping)
    finally:
        result.close()  # a consumer may stop early: release the server-side cursor first


def kyiv_day_start(day: date) -> datetime:
    """Return the UTC instant at which a Europe/Kyiv calendar day begins."""
    return datetime.combine(day, time(0), tzinfo=SITE_ZONE).astimezone(UTC)


def _query(date_from: date | None, date_to: date | None) -> Select[Any]:
    duplicate = aliased(Article)
    revisions = (
        select(func.count())
        .where(ArticleRevision.article_id == Article.id)
        .correlate(Article)
        .scalar_subquery()
    )
    names = [n for n in EXPORT_FIELDS if n not in ("revisions", "duplicate_of", "fetched_at")]
    query = (
        select(
            *(getattr(Article, n) for n in names),
            revisions.label("revisions"),
            duplicate.url.label("duplicate_of"),
            Article.last_fetched_at.label("fetched_at"),
        )
        .outerjoin(duplicate, duplicate.id == Article.duplicate_of_id)
        .order_by(Article.published_at, Article.id)
    )
    if date_from is not None:
        query = query.where(Article.published_at >= kyiv_day_start(date_from))
    if date_to is not None:
        query = query.where(Article.published_at < kyiv_day_start(date_to + timedelta(days=1)))
    return query


def _record(row: Any) -> dict[str, Any]:
    record = {name: row[name] for name in EXPORT_FIELDS}
    record["authors"] = list(record["authors"] or [])
    record["tags"] = list(record["tags"] or [])
    record["lang_mismatch"] = bool(record["lang_mismatch"])
    record["revisions"] = int(record["revisions"])
    record["published_at"] = iso_utc(record["published_at"])
    record["fetched_at"] = iso_utc(record["fetched_at"])
    return record
