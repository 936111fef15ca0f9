"""Re-extraction (`reprocess`): overwrite articles with what the current extractor reads from
the archived pages, idempotently.

Unlike a fetch, the text is not new: no revision is kept of the old extraction and no fetch
time moves. A field the extractor now reads differently updates the row; an article the
archive holds but the database does not (its run died before storing it) is inserted. When
the archive reaches back to an article's first fetch, its revisions are rebuilt from the
older archived versions as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.storage import articles, writes
from unn_ingest.storage.models import Article, ArticleRevision, EditionLinkEntry
from unn_ingest.storage.rows import UpsertOutcome, UpsertStatus
from unn_ingest.storage.sql import chunked, insert

CONTENT_COLUMNS = (
    "title", "lead", "body", "authors", "rubric", "tags", "image_url", "published_at",
    "modified_at", "lang_detected", "lang_confidence", "lang_method", "lang_mismatch",
    "word_count", "content_hash", "minhash", "extractor_version", "rubric_key", "image_caption",
    "image_credit", "images", "sections", "profile_version",
)  # fmt: skip


REVISION_COLUMNS = ("title", "lead", "body", "content_hash", "valid_until")


@dataclass(frozen=True, slots=True)
class Reextracted:
    """An archived article read again.

    `current` is its latest archived response; `versions` the first response of each run of
    one text, oldest first (the last is the current text): the revisions' sources.
    """

    current: AnalysedArticle
    versions: tuple[AnalysedArticle, ...] = ()
    first_archived_at: datetime | None = None  # the article's earliest archived response


def reextract_articles(conn: Connection, items: Sequence[Reextracted]) -> list[UpsertOutcome]:
    """Bring stored articles in line with their re-extraction; return new/updated/unchanged."""
    urls = [item.current.article.url for item in items]
    stored = _stored(conn, urls)
    new = [item.current for item in items if item.current.article.url not in stored]
    inserted = {o.url: o for o in writes.upsert_articles(conn, new)} if new else {}
    old = [item for item in items if item.current.article.url not in inserted]
    revisions = _revisions(
        conn, [stored[i.current.article.url] for i in old if _rebuilds(stored, i)]
    )
    links: list[dict[str, Any]] = []
    outcomes = []
    for item in items:
        url = item.current.article.url
        if url in inserted:
            outcomes.append(inserted[url])
            continue
        row = stored[url]
        changes = _changes(row, item.current)
        if changes:  # a changed text is linked again (link debt)
            values = {**changes, "link_pending": True}
            conn.execute(update(Article).where(Article.id == row.id).values(**values))
        revised = row.id in revisions and _rebuild_revisions(conn, row, item, revisions[row.id])
        links += writes._link_rows(row.id, {url}, item.current.article.links)
        status: UpsertStatus = "updated" if changes or revised else "unchanged"
        outcomes.append(UpsertOutcome(row.id, url, row.edition, status))
    if links:  # one statement for the chunk: most are there already
        conn.execute(insert(conn, EditionLinkEntry).on_conflict_do_nothing(), links)
    return outcomes


def _stored(conn: Connection, urls: Sequence[str]) -> dict[str, Any]:
    columns = [Article.id, Article.url, Article.edition, Article.first_seen_at]
    columns += [getattr(Article, name) for name in CONTENT_COLUMNS]
    found = {}
    for chunk in chunked(urls):
        for row in conn.execute(select(*columns).where(Article.url.in_(chunk))):
            found[row.url] = row
    return found


def _changes(row: Any, item: AnalysedArticle) -> dict[str, Any]:
    """Return the content columns whose re-extracted value differs from the stored one."""
    fresh = articles.content(item)
    if fresh["rubric"] is None:  # the feed's category, which the page does not show
        fresh["rubric"], fresh["rubric_key"] = row.rubric, row.rubric_key
    return {k: v for k, v in fresh.items() if getattr(row, k) != v}


def _rebuilds(stored: dict[str, Any], item: Reextracted) -> bool:
    """Tell whether the archive holds the article's first fetch (its revisions can be rebuilt)."""
    first = item.first_archived_at
    return first is not None and first <= stored[item.current.article.url].first_seen_at


def _revisions(conn: Connection, rows: Sequence[Any]) -> dict[int, list[tuple[Any, ...]]]:
    """Return the stored revisions of these articles (all of them in one query per chunk)."""
    found: dict[int, list[tuple[Any, ...]]] = {row.id: [] for row in rows}
    columns = [getattr(ArticleRevision, name) for name in REVISION_COLUMNS]
    for chunk in chunked(list(found)):
        query = select(ArticleRevision.article_id, *columns)
        for article_id, *values in conn.execute(query.where(ArticleRevision.article_id.in_(chunk))):
            found[article_id].append(tuple(values))
    return found


def _rebuild_revisions(
    conn: Connection, row: Any, item: Reextracted, have: list[tuple[Any, ...]]
) -> bool:
    """Replace the revisions (`have`) with the archive's older versions, if they differ."""
    wanted = _revision_rows(row.id, item)
    if sorted(have) == sorted(tuple(r[k] for k in REVISION_COLUMNS) for r in wanted):
        return False
    conn.execute(delete(ArticleRevision).where(ArticleRevision.article_id == row.id))
    if wanted:
        conn.execute(insert(conn, ArticleRevision).on_conflict_do_nothing(), wanted)
    return True


def _revision_rows(article_id: int, item: Reextracted) -> list[dict[str, Any]]:
    """Each earlier version is valid until the next version was first fetched."""
    rows: dict[str, dict[str, Any]] = {}
    for version, following in zip(item.versions, item.versions[1:], strict=False):
        page = version.article
        rows.setdefault(  # a text that comes back is kept once, as the pipeline does
            version.content_hash,
            {
                "article_id": article_id,
                "title": page.title,
                "lead": page.lead,
                "body": page.body,
                "content_hash": version.content_hash,
                "valid_until": following.fetched_at,
            },
        )
    return list(rows.values())
