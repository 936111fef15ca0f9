"""Streaming export for analysts: one flat dict per article, or per story in wide form.

Both streams read with a server-side cursor (`yield_per`), so memory stays flat however many
rows there are. Column kinds (`int`, `float`, `bool`, `text`, `texts`, `time`) let writers pick
their own types (Parquet); times are ISO 8601 UTC strings in the records themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Select, func, or_, select
from sqlalchemy.orm import aliased

from unn_ingest.storage.models import Article, ArticleRevision
from unn_ingest.storage.types import iso_utc

EDITIONS = ("uk", "en", "ru")
ARTICLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "int"),
    ("story_id", "int"),
    ("edition", "text"),
    ("url", "text"),
    ("slug", "text"),
    ("title", "text"),
    ("lead", "text"),
    ("body", "text"),
    ("authors", "texts"),
    ("rubric", "text"),
    ("rubric_key", "text"),
    ("tags", "texts"),
    ("image_url", "text"),
    ("image_caption", "text"),
    ("image_credit", "text"),
    ("images", "images"),
    ("sections", "sections"),
    ("word_count", "int"),
    ("published_at", "time"),
    ("modified_at", "time"),
    ("lang_detected", "text"),
    ("lang_confidence", "float"),
    ("lang_mismatch", "bool"),
    ("link_method", "text"),
    ("link_score", "float"),
    ("content_hash", "text"),
    ("revisions", "int"),
    ("duplicate_of", "text"),
    ("first_seen_at", "time"),
    ("fetched_at", "time"),
    ("removed_at", "time"),
    ("moved_from", "text"),
    ("profile_version", "text"),
)
TIMES = tuple(name for name, kind in ARTICLE_COLUMNS if kind == "time")
EXPORT_FIELDS = tuple(name for name, _ in ARTICLE_COLUMNS)
# The wide story export: these columns once, then these per edition, prefixed `uk_`, `en_`, ...
STORY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("story_id", "int"),
    ("published_at", "time"),
    ("editions", "texts"),
    ("rubric_key", "text"),  # the first edition's (uk, en, ru) that has one
    ("image_url", "text"),  # the lead image, likewise
)
STORY_EDITION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("url", "text"),
    ("title", "text"),
    ("lead", "text"),
    ("body", "text"),
    ("authors", "texts"),
    ("rubric", "text"),
    ("image_url", "text"),
    ("published_at", "time"),
    ("link_method", "text"),
    ("link_score", "float"),
)
_MEMBER_ONLY = ("rubric_key",)  # read with each member, exported once per story
BATCH = 500


def story_columns(editions: Sequence[str] = EDITIONS) -> tuple[tuple[str, str], ...]:
    """Return the wide story export's columns for these editions."""
    per_edition = tuple(
        (f"{ed}_{name}", kind) for ed in editions for name, kind in STORY_EDITION_COLUMNS
    )
    return STORY_COLUMNS + per_edition


def iter_export(
    conn: Connection,
    date_from: date | None = None,
    date_to: date | None = None,
    editions: Sequence[str] | None = None,
    *,
    zone: tzinfo | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield export records of articles published on these local dates of `zone` (the site's
    time zone; inclusive), streamed."""
    query = _within(_article_query(), Article.published_at, DayRange(date_from, date_to, zone))
    if editions is not None:
        query = query.where(Article.edition.in_(list(editions)))
    for row in _stream(conn, query):
        yield _record(row._mapping)


def iter_story_export(
    conn: Connection,
    date_from: date | None = None,
    date_to: date | None = None,
    editions: Sequence[str] | None = None,
    *,
    zone: tzinfo | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield one wide record per story whose first edition appeared on these local dates of
    `zone` (the site's time zone).

    An article not joined to a story yet is a story of its own, with `story_id` None. With
    `editions`, only their columns are filled and stories without any of them are left out.
    Story keys stream in order; their articles are read a chunk of stories at a time, so no
    query sorts the texts.
    """
    chosen = tuple(editions or EDITIONS)
    keys = _stream(conn, _story_keys(DayRange(date_from, date_to, zone)))
    while chunk := list(islice(keys, BATCH)):
        members: dict[int, list[Any]] = {}
        for row in conn.execute(_story_members([k.key for k in chunk], chosen)):
            members.setdefault(row.key, []).append(row._mapping)
        for key in chunk:
            if key.key in members:
                yield _story_record(key.first, members[key.key], chosen)


@dataclass(frozen=True, slots=True)
class DayRange:
    """Local dates of the site's time zone, both ends inclusive (None: unbounded)."""

    date_from: date | None
    date_to: date | None
    zone: tzinfo | None  # needed as soon as a date is given

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """Return the UTC instants [start, end) the dates cover."""
        if (self.date_from or self.date_to) and self.zone is None:
            raise ValueError("a date range needs the site's time zone (the profile's)")
        start = self._day_start(self.date_from) if self.date_from else None
        end = self._day_start(self.date_to + timedelta(days=1)) if self.date_to else None
        return start, end

    def _day_start(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)


def _stream(conn: Connection, query: Select[Any]) -> Iterator[Any]:
    result = conn.execution_options(yield_per=BATCH).execute(query)
    try:
        yield from result
    finally:
        result.close()  # a consumer may stop early: release the server-side cursor first


def _within(query: Select[Any], moment: Any, days: DayRange) -> Select[Any]:
    start, end = days.bounds()
    if start is not None:
        query = query.where(moment >= start)
    if end is not None:
        query = query.where(moment < end)
    return query


def _article_query() -> Select[Any]:
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
    return query


def _story_key() -> Any:
    # An unlinked article is keyed by its negated id: a group of one that no story id meets.
    return func.coalesce(Article.story_id, -Article.id)


def _story_keys(days: DayRange) -> Select[Any]:
    key = _story_key()
    first = func.min(Article.published_at)
    query = select(key.label("key"), first.label("first")).group_by(key)
    start, end = days.bounds()
    if start is not None:
        query = query.having(first >= start)
    if end is not None:
        query = query.having(first < end)
    return query.order_by(first, key)


def _story_members(keys: Sequence[int], editions: Sequence[str]) -> Select[Any]:
    stories = [k for k in keys if k > 0]
    loose = [-k for k in keys if k < 0]
    names = [name for name, _ in STORY_EDITION_COLUMNS] + list(_MEMBER_ONLY)
    fields = [getattr(Article, name) for name in names]
    return (
        select(_story_key().label("key"), Article.story_id, Article.edition, *fields)
        .where(or_(Article.story_id.in_(stories), Article.id.in_(loose)))
        .where(Article.edition.in_(list(editions)))
    )


def _record(row: Any) -> dict[str, Any]:
    record = {name: row[name] for name in EXPORT_FIELDS}
    for name in ("authors", "tags", "images", "sections"):
        record[name] = list(record[name] or [])
    record["lang_mismatch"] = bool(record["lang_mismatch"])
    record["revisions"] = int(record["revisions"])
    for name in TIMES:
        record[name] = iso_utc(record[name])
    return record


def _story_record(
    first: datetime | None, members: Sequence[Any], editions: Sequence[str]
) -> dict[str, Any]:
    by_edition = {m["edition"]: m for m in members}
    present = [by_edition[ed] for ed in editions if ed in by_edition]
    record: dict[str, Any] = {
        "story_id": members[0]["story_id"],
        "published_at": iso_utc(first),
        "editions": [ed for ed in editions if ed in by_edition],
        "rubric_key": next((m["rubric_key"] for m in present if m["rubric_key"]), None),
        "image_url": next((m["image_url"] for m in present if m["image_url"]), None),
    }
    for ed in editions:
        member = by_edition.get(ed)
        for name, kind in STORY_EDITION_COLUMNS:
            value = member[name] if member is not None else None
            if kind == "texts" and member is not None:
                value = list(value or [])
            record[f"{ed}_{name}"] = iso_utc(value) if kind == "time" else value
    return record
