"""The frontier: every discovered URL is in the fetch log before it is fetched.

A new URL enters with no attempt yet and `next_attempt_at` = its discovery time (due at once).
Fetching it updates the same row (`writes.record_fetches`): success clears `next_attempt_at`,
a failure sets it to when a later run should try again. So "what to fetch" is always the
row's `next_attempt_at`, and a URL discovered by a run that died before fetching it is due
for the next run: nothing discovered is dropped.

A URL no run has attempted yet is in the queue of the run that discovered it: for `CLAIM`
after its discovery, other runs leave it out of the due URLs they pick up (a run whose own
listing shows it still fetches it). Otherwise two runs at once (the parts of a split backfill,
an ingest during a backfill) would each fetch all of the other's pending URLs. A run that ends
(done, stopped, or its Prefect server lost) releases what it queued and did not attempt
(`release_claims`), so the next run fetches it; a run that died outright leaves its URLs to the
next run that lists them, and to any run after `CLAIM`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime, timedelta

from sqlalchemy import Connection, or_, select, update

from unn_ingest.storage.models import Article, FetchLogEntry
from unn_ingest.storage.rows import FetchState
from unn_ingest.storage.sql import chunked, insert, unique

# Longer than a run takes to reach what it discovered (a week-long part at the live site's
# pace takes well under an hour); a dead run's unlisted URLs wait this long for another run.
CLAIM = timedelta(hours=6)


def add_discovered(conn: Connection, urls: Sequence[str], kind: str, at: datetime) -> int:
    """Add URLs not in the fetch log yet, due at once; return how many were new."""
    new = 0
    for chunk in chunked(sorted(unique(urls))):
        known = set(
            conn.execute(select(FetchLogEntry.url).where(FetchLogEntry.url.in_(chunk))).scalars()
        )
        rows = [_pending_row(url, kind, at) for url in chunk if url not in known]
        if rows:
            conn.execute(insert(conn, FetchLogEntry).on_conflict_do_nothing(), rows)
            new += len(rows)
    return new


def due_urls(conn: Connection, kind: str, now: datetime, limit: int = 10_000) -> list[str]:
    """Return URLs of this kind due for an attempt, not stored as articles and not in another
    run's queue (never attempted, claimed for `CLAIM` after discovery unless the run that
    found it released it on ending), oldest due first."""
    stored = select(Article.id).where(Article.url == FetchLogEntry.url).exists()
    unclaimed = or_(
        FetchLogEntry.last_fetched_at.is_not(None),
        FetchLogEntry.claimed_until.is_(None),
        FetchLogEntry.claimed_until <= now,
    )
    query = (
        select(FetchLogEntry.url)
        .where(FetchLogEntry.kind == kind, FetchLogEntry.next_attempt_at <= now, ~stored)
        .where(unclaimed)
        .order_by(FetchLogEntry.next_attempt_at, FetchLogEntry.url)
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


def release_claims(conn: Connection, urls: Iterable[str]) -> int:
    """Take URLs a run queued and never attempted out of its queue (the run is ending), so
    that the next run fetches them instead of waiting for the claim to lapse; return how many."""
    released = 0
    for chunk in chunked(sorted(set(urls))):
        query = (
            update(FetchLogEntry)
            .where(FetchLogEntry.url.in_(chunk), FetchLogEntry.last_fetched_at.is_(None))
            .where(FetchLogEntry.claimed_until.is_not(None))
            .values(claimed_until=None)
        )
        released += conn.execute(query).rowcount
    return released


def failures(conn: Connection, since: datetime | None = None) -> list[FetchState]:
    """Return the URLs whose last attempt failed (since a time, if given), latest first."""
    columns = [getattr(FetchLogEntry, f.name) for f in fields(FetchState)]
    query = select(*columns).where(FetchLogEntry.last_error.is_not(None))
    if since is not None:
        query = query.where(FetchLogEntry.last_fetched_at >= since)
    query = query.order_by(FetchLogEntry.last_fetched_at.desc(), FetchLogEntry.url)
    return [FetchState(*row) for row in conn.execute(query)]


def _pending_row(url: str, kind: str, at: datetime) -> dict[str, object]:
    return {
        "url": url,
        "kind": kind,
        "status": None,
        "etag": None,
        "last_modified": None,
        "content_hash": None,
        "attempts": 0,
        "last_error": None,
        "next_attempt_at": at,
        "last_fetched_at": None,
        "archive_ref": None,
        "discovered_at": at,
        "claimed_until": at + CLAIM,
        "stage": None,
        "transient": None,
    }


def archived_articles(conn: Connection, files: Sequence[str]) -> dict[str, str]:
    """Return URL -> archive reference of the stored articles archived in these WARC files."""
    found: dict[str, str] = {}
    stored = select(Article.id).where(Article.url == FetchLogEntry.url).exists()
    for name in dict.fromkeys(files):
        query = select(FetchLogEntry.url, FetchLogEntry.archive_ref).where(
            FetchLogEntry.kind == "article",
            FetchLogEntry.archive_ref.startswith(f"{name}:", autoescape=True),
            stored,
        )
        found.update((url, ref) for url, ref in conn.execute(query) if ref is not None)
    return found


def mark_unreadable(conn: Connection, reasons: dict[str, str]) -> None:
    """Record that these URLs' archived pages cannot be read (shown by `failures`).

    The validators go too, so the next fetch is a full GET whose response replaces the
    archived page; a successful fetch clears the error as for any failure.
    """
    for url in sorted(reasons):
        conn.execute(
            update(FetchLogEntry)
            .where(FetchLogEntry.url == url)
            .values(last_error=reasons[url], stage="archive", transient=False,
                    etag=None, last_modified=None)
        )  # fmt: skip
