"""Article upserts in bulk: insert the new, keep a revision of the changed, touch the unchanged.

One batch costs a handful of statements, not several per article: a multi-row
INSERT ... ON CONFLICT DO NOTHING RETURNING finds the new rows; the rest are read back (locked
FOR UPDATE on PostgreSQL, in key order, so concurrent writers never deadlock) and updated with
executemany. Two writers racing on one article end with one row: the database's unique
constraints decide, never a read-then-insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select, tuple_, update

from unn_ingest.extractors.records import AnalysedArticle, ImageRef
from unn_ingest.storage.errors import StorageError
from unn_ingest.storage.models import Article, ArticleRevision
from unn_ingest.storage.rows import UpsertOutcome, UpsertStatus
from unn_ingest.storage.sql import chunked, insert, lock_rows

Key = tuple[str, str]  # (edition, slug)
StoredRow = Any  # a result row of the STORED columns
STORED = (Article.id, Article.url, Article.edition, Article.slug, Article.content_hash,
          Article.title, Article.lead, Article.body, Article.last_fetched_at)  # fmt: skip
PUBLISHED = {"removed_at": None, "removed_status": None}  # a page served again is not removed


def upsert_articles(conn: Connection, inputs: Sequence[AnalysedArticle]) -> list[UpsertOutcome]:
    """Upsert pages keyed by (edition, slug); return new / updated / unchanged per input."""
    outcomes: dict[int, UpsertOutcome] = {}
    for round_ in _rounds(inputs):
        items = [inputs[i] for i in round_]
        outcomes.update(zip(round_, _upsert_round(conn, items), strict=True))
    return [outcomes[i] for i in range(len(inputs))]


def key_of(item: AnalysedArticle) -> Key:
    """Return the article's natural key."""
    return (item.article.edition, item.article.slug)


def _rounds(inputs: Sequence[AnalysedArticle]) -> list[list[int]]:
    """Split input positions into rounds of distinct keys, each sorted by key."""
    rounds: list[list[int]] = []
    seen: dict[Key, int] = {}
    for index, item in enumerate(inputs):
        depth = seen[key_of(item)] = seen.get(key_of(item), -1) + 1
        if depth == len(rounds):
            rounds.append([])
        rounds[depth].append(index)
    return [sorted(r, key=lambda i: key_of(inputs[i])) for r in rounds]


def _upsert_round(conn: Connection, items: list[AnalysedArticle]) -> list[UpsertOutcome]:
    inserted = _insert_new(conn, items)
    rest = [item for item in items if key_of(item) not in inserted]
    stored = _lock_stored(conn, rest)
    touches: list[dict[str, Any]] = []
    changes: list[tuple[StoredRow, AnalysedArticle]] = []
    outcomes = []
    for item in items:
        if key_of(item) in inserted:
            page = item.article
            outcomes.append(UpsertOutcome(inserted[key_of(item)], page.url, page.edition, "new"))
            continue
        row = stored[key_of(item)]
        status: UpsertStatus = "unchanged"
        # An older fetch finishing late must not overwrite newer content.
        if row.content_hash == item.content_hash or item.fetched_at < row.last_fetched_at:
            touches.append(
                {
                    "_id": row.id,
                    "last_fetched_at": max(row.last_fetched_at, item.fetched_at),
                    **PUBLISHED,
                }
            )
        else:
            changes.append((row, item))
            status = "updated"
        outcomes.append(UpsertOutcome(row.id, row.url, row.edition, status))
    _update(conn, touches)
    _revise(conn, changes)
    return outcomes


def _insert_new(conn: Connection, items: list[AnalysedArticle]) -> dict[Key, int]:
    # One cached statement run as an executemany (SQLAlchemy batches it into multi-row
    # INSERTs with RETURNING), instead of compiling a new multi-VALUES statement per batch.
    stmt = (
        insert(conn, Article)
        .on_conflict_do_nothing()
        .returning(Article.id, Article.edition, Article.slug)
    )
    rows = conn.execute(stmt, [_new_row(item) for item in items])
    return {(row.edition, row.slug): row.id for row in rows}


def _lock_stored(conn: Connection, items: list[AnalysedArticle]) -> dict[Key, StoredRow]:
    """Read (and on PostgreSQL lock) the stored rows for these inputs, by key, else by URL."""
    stored: dict[Key, StoredRow] = {}
    keys = [key_of(item) for item in items]
    for chunk in chunked(keys):
        where = tuple_(Article.edition, Article.slug).in_(chunk)
        stored.update(((row.edition, row.slug), row) for row in _select(conn, where))
    # Same URL under another key (an edition or slug read differently): update that row.
    by_url = {item.article.url: key_of(item) for item in items if key_of(item) not in stored}
    for url_chunk in chunked(by_url):
        for row in _select(conn, Article.url.in_(url_chunk)):
            stored[by_url[row.url]] = row
    missing = set(keys) - stored.keys()
    if missing:
        raise StorageError(f"article rows vanished during upsert: {sorted(missing)[:3]}")
    return stored


def _select(conn: Connection, where: Any) -> Iterable[StoredRow]:
    query = select(*STORED).where(where).order_by(Article.edition, Article.slug)
    if lock_rows(conn):
        query = query.with_for_update()
    return conn.execute(query).all()


def _update(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(update(Article).where(Article.id == bindparam("_id")), rows)


def _revise(conn: Connection, changes: list[tuple[StoredRow, AnalysedArticle]]) -> None:
    if not changes:
        return
    revisions = [
        {"article_id": row.id, "title": row.title, "lead": row.lead, "body": row.body,
         "content_hash": row.content_hash, "valid_until": item.fetched_at}
        for row, item in changes
    ]  # fmt: skip
    conn.execute(insert(conn, ArticleRevision).on_conflict_do_nothing(), revisions)
    at = "last_fetched_at"
    _update(
        conn,
        [
            {
                "_id": row.id,
                **content(item),
                at: item.fetched_at,
                "last_changed_at": item.fetched_at,
                **PUBLISHED,
                "link_pending": True,  # a changed text is linked again (link debt)
            }
            for row, item in changes
        ],
    )


def _new_row(item: AnalysedArticle) -> dict[str, Any]:
    page = item.article
    at = item.fetched_at
    identity = {"edition": page.edition, "slug": page.slug, "url": page.url, "link_method": "none"}
    times = {"first_seen_at": at, "last_fetched_at": at, "last_changed_at": at}
    # Stored, not yet linked: the run that stores it (or the next one) settles this debt.
    return {**content(item), **identity, **times, "link_pending": True}


def content(item: AnalysedArticle) -> dict[str, Any]:
    """Return the column values that come from the page and its analysis."""
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
        "rubric_key": page.rubric_key,
        "image_caption": page.image.caption if page.image else None,
        "image_credit": page.image.credit if page.image else None,
        "images": [image_record(i) for i in page.images],
        "sections": [
            {"subhead": s.subhead, "paragraphs": list(s.paragraphs)} for s in page.sections
        ],
        "profile_version": page.profile_version or None,
    }


def image_record(image: ImageRef) -> dict[str, str]:
    """Return an image as stored and exported: {"url", "caption", "credit"}."""
    return {"url": image.url, "caption": image.caption, "credit": image.credit}
