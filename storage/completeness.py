"""How complete the stored records are: per edition, the share of articles with each field.

A field that silently stops being found after a redesign shows here as a share that drops; the
run's summary and the `health` command read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, and_, case, cast, func, select

from unn_ingest.storage.models import Article
from unn_ingest.storage.sql import chunked

__all__ = ["COMPLETENESS_FIELDS", "FieldCompleteness", "field_completeness"]


def _text(column: Any) -> Any:
    return and_(column.is_not(None), column != "")


def _listed(column: Any) -> Any:
    # JSON lists: NULL (stored before the column existed) and [] both count as missing.
    return and_(column.is_not(None), func.replace(cast(column, String), " ", "") != "[]")


# Field -> the condition under which an article has it.
COMPLETENESS_FIELDS: dict[str, Any] = {
    "title": _text(Article.title),
    "lead": _text(Article.lead),
    "body": _text(Article.body),
    "authors": _listed(Article.authors),
    "rubric": _text(Article.rubric),
    "rubric_key": _text(Article.rubric_key),
    "tags": _listed(Article.tags),
    "image": _text(Article.image_url),
    "image_caption": _text(Article.image_caption),
    "image_credit": _text(Article.image_credit),
    "images": _listed(Article.images),
    "sections": _listed(Article.sections),
    "published_at": Article.published_at.is_not(None),
    "modified_at": Article.modified_at.is_not(None),
    "story": Article.story_id.is_not(None),
}


@dataclass(frozen=True, slots=True)
class FieldCompleteness:
    """One edition's stored articles and, per field, how many of them have it."""

    edition: str
    articles: int
    found: dict[str, int] = field(default_factory=dict)

    def share(self, name: str) -> float | None:
        """Return the share of articles with the field (None without articles)."""
        return self.found.get(name, 0) / self.articles if self.articles else None

    def shares(self) -> dict[str, float | None]:
        """Return every field's share."""
        return {name: self.share(name) for name in COMPLETENESS_FIELDS}


def field_completeness(
    conn: Connection, since: datetime | None = None, article_ids: Iterable[int] | None = None
) -> list[FieldCompleteness]:
    """Return per edition the articles fetched since `since` (or these ids) with each field."""
    sums = [func.sum(case((cond, 1), else_=0)) for cond in COMPLETENESS_FIELDS.values()]
    query = select(Article.edition, func.count(), *sums).group_by(Article.edition)
    if since is not None:
        query = query.where(Article.last_fetched_at >= since)
    totals: dict[str, list[int]] = {}
    chunks = [query] if article_ids is None else _by_ids(query, article_ids)
    for chosen in chunks:
        for edition, count, *found in conn.execute(chosen):
            row = totals.setdefault(edition, [0] * (len(found) + 1))
            for i, value in enumerate((count, *found)):
                row[i] += int(value or 0)
    return [
        FieldCompleteness(edition, row[0], dict(zip(COMPLETENESS_FIELDS, row[1:], strict=True)))
        for edition, row in sorted(totals.items())
    ]


def _by_ids(query: Any, article_ids: Iterable[int]) -> list[Any]:
    return [query.where(Article.id.in_(chunk)) for chunk in chunked(sorted(set(article_ids)))]
