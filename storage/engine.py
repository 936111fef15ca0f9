"""Opening a database: URL checks, engine setup per dialect, migrations, error translation."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError as AlembicError
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from unn_ingest.storage.errors import (
    SchemaBehindError,
    StorageConfigError,
    StorageError,
    StorageMigrationError,
    StorageUnavailableError,
    one_line,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
CHECKPOINT_WAIT_MS = 1_000
# Any constant works; it only has to be the same in every process migrating this database.
MIGRATION_LOCK_KEY = 0x756E6E  # "unn"
WRITE_OPTION = "unn_write"
UPGRADE_COMMAND = "unn-ingest db upgrade"
RETRYABLE_SQLSTATES = ("40P01", "40001")  # PostgreSQL: deadlock_detected, serialization_failure


def parse_url(url: str) -> URL:
    """Parse a database URL, defaulting PostgreSQL to the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageConfigError(f"invalid database URL {_redact(url)!r}") from None
    if parsed.get_backend_name() == "postgres":  # the Heroku-style spelling
        parsed = parsed.set(drivername="postgresql")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StorageConfigError(f"unsupported database {backend!r}: use sqlite or postgresql")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def describe(url: URL) -> str:
    """Name the database for messages: SQLite path or PostgreSQL host:port/database."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite database {url.database or ':memory:'}"
    return f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def create(url: URL, *, read_only: bool = False) -> Engine:
    """Create an engine set up for its dialect (SQLite: folder, WAL, busy timeout).

    `read_only` opens an existing database for reading only: SQLite in `mode=ro` (and
    `immutable` when its folder cannot be written, so no -shm file is needed), PostgreSQL in
    read-only transactions; nothing is created or changed.
    """
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_reader(url) if read_only else _sqlite_engine(url)
        if read_only:  # added to the URL's own options (a search_path, say)
            options = f"{url.query.get('options', '')} -c default_transaction_read_only=on"
            url = url.update_query_dict({"options": options.strip()})
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    except (NoSuchModuleError, ImportError) as error:
        raise StorageConfigError(f"cannot use {url.drivername!r}: {one_line(error)}") from None


@dataclass(frozen=True)
class SchemaRevisions:
    """A database's schema revision (None: an empty database) and the code's head revision."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        """Say whether the database is at the head revision."""
        return self.current == self.head


def migrate(engine: Engine, url: URL, *, upgrade: bool = False) -> SchemaRevisions:
    """Create the schema of an empty database; upgrade an older one only when asked.

    Return the revisions found before. One process migrates at a time (an advisory lock on
    PostgreSQL, the write lock on SQLite). A database behind the code raises SchemaBehindError
    unless `upgrade`: its owner decides when to migrate, with `unn-ingest db upgrade`.
    """
    config = _alembic_config()
    try:
        with _connect(engine, url) as conn, _quiet_alembic():
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY}
                    )
                before = _revisions(conn, config, url)
                if before.current is not None and not before.up_to_date and not upgrade:
                    raise SchemaBehindError(behind_message(url, before))
                if not before.up_to_date:
                    config.attributes["connection"] = conn
                    command.upgrade(config, "head")
                return before
    except (SQLAlchemyError, AlembicError) as error:
        raise StorageMigrationError(f"cannot migrate {describe(url)}: {one_line(error)}") from None


def read_revisions(engine: Engine, url: URL) -> SchemaRevisions:
    """Return the database's schema revision and the code's head, changing nothing."""
    try:
        with _connect(engine, url) as conn, _quiet_alembic(), conn.begin():
            return _revisions(conn, _alembic_config(), url)
    except (SQLAlchemyError, AlembicError) as error:
        raise StorageMigrationError(
            f"cannot read the schema revision of {describe(url)}: {one_line(error)}"
        ) from None


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _connect(engine: Engine, url: URL) -> Connection:
    try:
        return engine.connect()
    except DBAPIError as error:
        raise StorageUnavailableError(
            f"cannot connect to {describe(url)}: {one_line(error)}"
        ) from None


def _revisions(conn: Connection, config: Config, url: URL) -> SchemaRevisions:
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    assert head is not None, "the package ships at least one revision"
    current = MigrationContext.configure(conn).get_current_revision()
    known = {r.revision for r in script.walk_revisions()}
    if current is not None and current not in known:
        raise StorageMigrationError(
            f"{describe(url)} is at schema revision {current}, newer than this unn-ingest "
            f"knows (its newest is {head}): use the unn-ingest version that migrated it"
        )
    return SchemaRevisions(current, head)


def behind_message(url: URL, revisions: SchemaRevisions) -> str:
    return (
        f"{describe(url)} is at schema revision {revisions.current}, this unn-ingest needs "
        f"{revisions.head}: run `{UPGRADE_COMMAND}` (same --db / UNN_INGEST_DB_URL) to "
        "migrate it, keeping every row"
    )


@contextmanager
def translated(action: str) -> Iterator[None]:
    """Turn SQLAlchemy and driver errors raised inside into one-line StorageErrors."""
    try:
        yield
    except StorageError:
        raise
    except DBAPIError as error:
        if error.connection_invalidated or _is_connect_error(error):
            raise StorageUnavailableError(
                f"{action}: database unreachable: {one_line(error)}"
            ) from error
        raise StorageError(f"{action}: {one_line(error)}") from error
    except SQLAlchemyError as error:
        raise StorageError(f"{action}: {one_line(error)}") from error


def is_retryable(error: BaseException | None) -> bool:
    """Say whether a failed transaction may succeed when simply run again."""
    if not isinstance(error, DBAPIError):
        return False
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    memory = database in ("", ":memory:") or "mode=memory" in str(url.query)
    if memory:
        engine = create_engine(
            url,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
        )
    else:
        if not database.startswith("file:"):
            _make_folder(Path(database).expanduser().parent)
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
        )
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _sqlite_reader(url: URL) -> Engine:
    database = Path(url.database or "").expanduser().resolve()
    query = "mode=ro" if os.access(database.parent, os.W_OK) else "mode=ro&immutable=1"
    reader = f"file:{quote(str(database))}?{query}"
    if not database.exists():  # nothing stored there: an empty database, and none created
        reader = "file::memory:"
    engine = create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(reader, uri=True, check_same_thread=False)
    )
    event.listen(engine, "connect", _on_sqlite_read_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_read_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.close()


def checkpoint(engine: Engine, url: URL) -> None:
    """Fold a SQLite database's write-ahead log into its file and truncate the log.

    At a run's end, so that the `.sqlite3` file alone holds every row. Another process still
    writing keeps its part of the log: the checkpoint then waits at most a second and leaves
    the rest to that process. Never raises (a run's end must not fail on its tidying).
    """
    if url.get_backend_name() != "sqlite" or (url.database or ":memory:") == ":memory:":
        return
    try:
        raw = engine.raw_connection()  # outside any transaction: a reader blocks a checkpoint
        try:
            cursor = raw.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.close()
        finally:
            raw.close()
    except (SQLAlchemyError, sqlite3.Error) as error:
        logging.getLogger(__name__).info("WAL checkpoint skipped: %s", one_line(error))


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise StorageUnavailableError(f"cannot create folder {folder}: {reason}") from None


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from the sqlite3 module so DDL is transactional and writers
    # can ask for the write lock up front (BEGIN IMMEDIATE) instead of failing on upgrade.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _switch_to_wal(cursor)
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """Put the database in WAL mode, waiting while another process holds it.

    Changing the journal mode needs the database to itself and SQLite does not apply the busy
    timeout to that; two processes creating one new database at once would otherwise fail.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _on_sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_connect_error(error: DBAPIError) -> bool:
    message = str(error.orig).lower()
    return any(
        marker in message
        for marker in ("connection", "connect", "resolve host", "unable to open", "server closed")
    )


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    # Alembic logs "Context impl ..." at INFO on every open; keep run output clean.
    logger = logging.getLogger("alembic")
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _redact(url: str) -> str:
    return re.sub(r"//[^@/]*@", "//***@", url)
