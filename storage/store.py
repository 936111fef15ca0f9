"""The `Store`: the pipeline's one handle on the record database (SQLite or PostgreSQL).

Each method runs in its own transaction; writes take the write lock up front on SQLite
(BEGIN IMMEDIATE) and lock rows in key order on PostgreSQL, so concurrent writers serialise
instead of failing or deadlocking. Every SQLAlchemy or driver error leaves as a StorageError.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

from sqlalchemy import URL, Connection, Engine

from unn_ingest.extractors.records import AnalysedArticle, EditionLink
from unn_ingest.storage import (
    completeness,
    coverage,
    export,
    frontier,
    health,
    linkdebt,
    reads,
    reextract,
    removals,
    stories,
    writes,
)
from unn_ingest.storage.completeness import FieldCompleteness
from unn_ingest.storage.coverage import GapRow
from unn_ingest.storage.engine import (
    WRITE_OPTION,
    SchemaRevisions,
    behind_message,
    checkpoint,
    create,
    describe,
    is_retryable,
    migrate,
    parse_url,
    read_revisions,
    translated,
)
from unn_ingest.storage.errors import (
    SchemaBehindError,
    StorageError,
    StorageMigrationError,
    StorageUnavailableError,
)
from unn_ingest.storage.records import FetchRecord, RetryDelays, StoryGroup
from unn_ingest.storage.reextract import Reextracted
from unn_ingest.storage.removals import Move, RemovedArticle
from unn_ingest.storage.rows import (
    ArticleRow,
    ArticleView,
    FetchState,
    LinkGraph,
    StorySummary,
    UpsertOutcome,
)

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)
# Deadlocks and serialisation failures are resolved by running the transaction again.
WRITE_ATTEMPTS = 3
# A PostgreSQL server that goes away (a restart, a dropped connection) and comes back within
# this many seconds does not fail the run: its transactions are run again, with backoff.
OUTAGE_SECONDS = 45.0
BACKOFF_SECONDS = (0.25, 0.5, 1.0, 2.0, 4.0)  # then 4 s until the outage window ends


class Store:
    """Read and write the normalised records; open with `Store.open(url)`."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self._engine = engine
        self.url = url

    @classmethod
    def open(cls, url: str, *, upgrade: bool = False) -> Store:
        """Open the database at a SQLAlchemy URL, creating the schema of an empty one.

        A database at an older schema revision raises SchemaBehindError (naming the command
        that migrates it) unless `upgrade` is set.
        """
        parsed = parse_url(url)
        engine = create(parsed)
        try:
            migrate(engine, parsed, upgrade=upgrade)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, parsed)

    @classmethod
    def open_to_read(cls, url: str) -> Store:
        """Open an existing database read-only (a read-only folder or file system will do).

        Nothing is created or migrated: a database without the schema, or behind the code,
        raises a StorageError saying so.
        """
        parsed = parse_url(url)
        engine = create(parsed, read_only=True)
        try:
            revisions = read_revisions(engine, parsed)
            if revisions.current is None:
                raise StorageMigrationError(f"{describe(parsed)} holds no unn-ingest records")
            if not revisions.up_to_date:
                raise SchemaBehindError(behind_message(parsed, revisions))
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, parsed)

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    def checkpoint(self) -> None:
        """Fold SQLite's write-ahead log into the database file (a run's end); else nothing."""
        checkpoint(self._engine, self.url)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({describe(self.url)})"

    # Writes

    def upsert_articles(self, inputs: Sequence[AnalysedArticle]) -> list[UpsertOutcome]:
        """Store pages (and the explicit links they carry); return what happened to each."""
        return self._transact("cannot store articles", writes.upsert_articles, inputs)

    def reextract_articles(self, items: Sequence[Reextracted]) -> list[UpsertOutcome]:
        """Bring stored articles in line with their re-extraction from the archive."""
        return self._transact(
            "cannot store re-extracted articles", reextract.reextract_articles, items
        )

    def add_edition_links(self, article_id: int, links: Sequence[EditionLink]) -> None:
        """Store explicit links seen on an article's page (upsert_articles already does)."""
        self._transact("cannot store edition links", writes.add_edition_links, article_id, links)

    def record_fetches(
        self, records: Sequence[FetchRecord], delays: RetryDelays | None = None
    ) -> None:
        """Upsert fetch outcomes into the fetch log; failures are retried after `delays`."""
        self._transact("cannot record fetches", writes.record_fetches, records, delays)

    def add_discovered(self, urls: Sequence[str], kind: str, at: datetime) -> int:
        """Put discovered URLs into the frontier (due at once); return how many were new."""
        return self._transact(
            "cannot record discovered URLs", frontier.add_discovered, urls, kind, at
        )

    def release_claims(self, urls: Iterable[str]) -> int:
        """Release URLs an ending run queued and never attempted (`frontier.release_claims`)."""
        return self._transact("cannot release queued URLs", frontier.release_claims, urls)

    def apply_story_groups(self, groups: Sequence[StoryGroup]) -> dict[int, int]:
        """Make each group one story; return article id -> story id."""
        return self._transact("cannot apply story groups", stories.apply_story_groups, groups)

    def mark_duplicate(self, article_id: int, duplicate_of_id: int, score: float) -> None:
        """Record that an article is a near-duplicate of an earlier one."""
        self._transact(
            "cannot mark duplicate", writes.mark_duplicate, article_id, duplicate_of_id, score
        )

    def advance_watermarks(self, marks: dict[str, datetime], at: datetime) -> None:
        """Move editions' catch-up watermarks forward (never back)."""
        self._transact("cannot store watermarks", coverage.advance_watermarks, marks, at)

    def record_gaps(self, gaps: Sequence[GapRow]) -> None:
        """Record spans of publish times a run did not cover (past its horizon)."""
        self._transact("cannot record gaps", coverage.record_gaps, gaps)

    def fill_gaps(
        self, editions: Sequence[str], start: datetime, end: datetime, at: datetime
    ) -> int:
        """Mark open gaps of these editions within [start, end] filled; return how many."""
        return self._transact("cannot fill gaps", coverage.fill_gaps, editions, start, end, at)

    def mark_removed(self, gone: Sequence[tuple[str, int]], at: datetime) -> list[int]:
        """Mark stored articles removed by the site ((url, 404|410) pairs); return their ids."""
        return self._transact("cannot mark removed articles", removals.mark_removed, gone, at)

    def move_articles(self, moves: Sequence[Move], at: datetime) -> list[int]:
        """Record slug changes: each article keeps its id and story under its new URL."""
        return self._transact("cannot record moved articles", removals.move_articles, moves, at)

    def mark_archive_unreadable(self, reasons: dict[str, str]) -> None:
        """Record URLs whose archived page cannot be read, with why (shown by `failures`)."""
        self._transact("cannot record unreadable archived pages", frontier.mark_unreadable, reasons)

    def clear_link_debt(self, article_ids: Sequence[int]) -> None:
        """Record that these articles went through story formation and content linking."""
        self._transact("cannot record linked articles", linkdebt.clear, article_ids)

    # Reads

    def watermarks(self, editions: Sequence[str] | None = None) -> dict[str, datetime]:
        """Return edition -> catch-up watermark (editions no completed run covered are absent)."""
        with self._read("cannot read watermarks") as conn:
            return coverage.watermarks(conn, editions)

    def gaps(self, since: datetime | None = None, open_only: bool = True) -> list[GapRow]:
        """Return coverage gaps (open ones unless told), newest first."""
        with self._read("cannot read gaps") as conn:
            return coverage.gaps(conn, since, open_only)

    def publish_lags(
        self, start: datetime, end: datetime | None = None
    ) -> list[tuple[str, datetime, datetime]]:
        """Return (edition, published_at, first_seen_at) of articles published in [start, end)."""
        with self._read("cannot read publish times") as conn:
            return health.publish_lags(conn, start, end)

    def arrivals(self, start: datetime) -> dict[str, int]:
        """Return edition -> articles first stored since `start`."""
        with self._read("cannot count new articles") as conn:
            return health.arrivals(conn, start)

    def unstored_urls(self, since: datetime | None = None) -> list[str]:
        """Return the article URLs discovered (since a time, if given) and not stored."""
        with self._read("cannot read the frontier") as conn:
            return health.unstored_urls(conn, since)

    def removed_since(self, when: datetime | None = None) -> list[RemovedArticle]:
        """Return the articles the site removed, marked at or after `when`, latest first."""
        with self._read("cannot read removed articles") as conn:
            return removals.removed_since(conn, when)

    def unlisted_articles(
        self, edition: str, start: datetime, end: datetime, listed: Iterable[str]
    ) -> list[tuple[str, datetime | None, datetime]]:
        """Return (url, published, last fetched) of stored, not removed articles of an edition
        published in [start, end] whose URL is not among `listed`."""
        with self._read("cannot read unlisted articles") as conn:
            return reads.unlisted_articles(conn, edition, start, end, set(listed))

    def link_debt(
        self, start: datetime | None = None, end: datetime | None = None, undated: bool = True
    ) -> list[tuple[int, datetime | None]]:
        """Return (id, published_at) of the articles waiting for linking published in
        [start, end] (None: unbounded), with those of no publish time when `undated`."""
        return self._query("cannot read link debt", linkdebt.pending, start, end, undated)

    def archived_articles(self, files: Sequence[str]) -> dict[str, str]:
        """Return URL -> archive reference of the stored articles archived in these files."""
        return self._query("cannot read archive references", frontier.archived_articles, files)

    def link_debt_count(self) -> int:
        """Return how many articles wait for linking (stored by a run that died first)."""
        return self._query("cannot count link debt", linkdebt.count)

    def newest_published(self) -> datetime | None:
        """Return the newest publish time among the stored articles."""
        return self._query("cannot read articles", linkdebt.newest_published)

    def fetch_states(self, urls: Iterable[str]) -> dict[str, FetchState]:
        """Return the fetch log's state for each known URL among these."""
        return self._query("cannot read fetch states", reads.fetch_states, list(urls))

    def due_urls(self, kind: str, now: datetime, limit: int = 10_000) -> list[str]:
        """Return frontier URLs of a kind due, not stored yet and not in another run's queue."""
        return self._query("cannot read the frontier", frontier.due_urls, kind, now, limit)

    def failures(self, since: datetime | None = None) -> list[FetchState]:
        """Return the fetch log's failed URLs (last attempt failed), latest first."""
        return self._query("cannot read failures", frontier.failures, since)

    def known_article_urls(self, urls: Iterable[str]) -> set[str]:
        """Return the URLs among these that are stored as articles."""
        return self._query("cannot read article URLs", reads.known_article_urls, list(urls))

    def article_titles(self, urls: Iterable[str]) -> dict[str, str]:
        """Return url -> stored title of the URLs among these that are stored as articles."""
        return self._query("cannot read article titles", reads.article_titles, list(urls))

    def link_component(self, article_ids: Iterable[int]) -> LinkGraph:
        """Return the articles connected to these by explicit links or shared stories."""
        return self._query("cannot read link graph", stories.link_component, list(article_ids))

    def unlinked_urls(self, article_ids: Iterable[int]) -> list[tuple[str, str]]:
        """Return (edition, url) explicit link targets of these articles not stored yet."""
        return self._query("cannot read link targets", stories.unlinked_urls, list(article_ids))

    def articles_in_window(
        self, start: datetime, end: datetime, editions: Sequence[str] | None = None
    ) -> list[ArticleRow]:
        """Return articles published in [start, end] (both inclusive), oldest first."""
        return self._query("cannot read articles", reads.articles_in_window, start, end, editions)

    def stories(
        self, limit: int = 20, offset: int = 0, edition: str | None = None
    ) -> list[StorySummary]:
        """Return recent stories with their editions, newest first."""
        return self._query("cannot read stories", reads.stories, limit, offset, edition)

    def story(self, story_id: int) -> StorySummary | None:
        """Return one story with its editions, or None."""
        with self._read("cannot read story") as conn:
            return reads.story(conn, story_id)

    def article(self, url_or_id: str | int) -> ArticleView | None:
        """Return one article with revisions and story siblings, or None."""
        return self._query("cannot read article", reads.article, url_or_id)

    def counts(self) -> dict[str, Any]:
        """Return totals: stories, articles per edition, revisions, duplicates, fetch errors."""
        return self._query("cannot count records", reads.counts)

    def link_method_counts(self) -> dict[str, int]:
        """Return the number of articles per link method (hreflang, switcher, content, none)."""
        return self._query("cannot count link methods", reads.link_method_counts)

    def field_completeness(
        self, since: datetime | None = None, article_ids: Iterable[int] | None = None
    ) -> list[FieldCompleteness]:
        """Return per edition how many articles fetched since `since` (or with these ids; all
        without either) have each field (`FieldCompleteness.shares()`)."""
        with self._read("cannot measure field completeness") as conn:
            return completeness.field_completeness(conn, since, article_ids)

    def iter_export(
        self,
        date_from: date | None = None,
        date_to: date | None = None,
        editions: Sequence[str] | None = None,
        *,
        zone: tzinfo | None = None,
    ) -> Generator[dict[str, Any], None, None]:
        """Stream article records for local dates [date_from, date_to] of `zone`, the site's
        time zone (None: unbounded)."""
        with self._read("cannot export") as conn:
            yield from export.iter_export(conn, date_from, date_to, editions, zone=zone)

    def iter_story_export(
        self,
        date_from: date | None = None,
        date_to: date | None = None,
        editions: Sequence[str] | None = None,
        *,
        zone: tzinfo | None = None,
    ) -> Generator[dict[str, Any], None, None]:
        """Stream one wide record per story first published on local dates [from, to] of
        `zone`, the site's time zone."""
        with self._read("cannot export stories") as conn:
            yield from export.iter_story_export(conn, date_from, date_to, editions, zone=zone)

    # Transactions

    def _transact(
        self,
        action: str,
        work: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `work` in one write transaction, retrying when the database asks to, or while
        it is unreachable for up to OUTAGE_SECONDS (every write is an upsert: safe to repeat)."""

        def attempt() -> T:
            with translated(action), self._engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    return work(conn, *args, **kwargs)

        return self._retrying(attempt)

    def _query(
        self,
        action: str,
        work: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `work` in one read transaction, retrying while the database is unreachable."""

        def attempt() -> T:
            with self._read(action) as conn:
                return work(conn, *args, **kwargs)

        return self._retrying(attempt)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """Call `attempt` until it succeeds, the error is not worth a retry, or the outage
        window ends."""
        tries, deadline = 0, None
        while True:
            try:
                return attempt()
            except StorageError as error:
                tries += 1
                if is_retryable(error.__cause__) and tries < WRITE_ATTEMPTS:
                    continue
                if not self._outage(error):
                    raise
                deadline = deadline or time.monotonic() + OUTAGE_SECONDS
                if time.monotonic() >= deadline:
                    raise
                if tries == 1:
                    log.warning(
                        "%s is unreachable: retrying for up to %.0f s", self, OUTAGE_SECONDS
                    )
                time.sleep(BACKOFF_SECONDS[min(tries, len(BACKOFF_SECONDS)) - 1])

    def _outage(self, error: StorageError) -> bool:
        """Tell whether an error is a network database gone away (SQLite's errors are not)."""
        return (
            isinstance(error, StorageUnavailableError) and self.url.get_backend_name() != "sqlite"
        )

    @contextmanager
    def _read(self, action: str) -> Iterator[Connection]:
        with translated(action), self._engine.connect() as conn, conn.begin():
            yield conn


def schema_revisions(url: str) -> SchemaRevisions:
    """Return the schema revision of the database at `url` and the code's head, changing nothing."""
    parsed = parse_url(url)
    engine = create(parsed, read_only=True)
    try:
        return read_revisions(engine, parsed)
    finally:
        engine.dispose()


def upgrade_schema(url: str) -> SchemaRevisions:
    """Migrate the database at `url` to the code's head revision; return the revisions before."""
    parsed = parse_url(url)
    engine = create(parsed)
    try:
        return migrate(engine, parsed, upgrade=True)
    finally:
        engine.dispose()
