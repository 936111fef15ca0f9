"""Small SQL helpers shared by the reads and writes: dialect upserts and chunked IN-lists."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from unn_ingest.storage.models import Base

T = TypeVar("T")
# SQLite builds before 3.32 allow 999 bound variables; stay well under for every dialect.
CHUNK = 500


def insert(conn: Connection, model: type[Base]) -> sqlite.Insert | postgresql.Insert:
    """Return the dialect's INSERT, which supports ON CONFLICT, for a model's table."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Yield the items in lists of at most `size` (for IN-lists under variable limits)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def unique(items: Iterable[T]) -> list[T]:
    """Return the items without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


def lock_rows(conn: Connection) -> bool:
    """Say whether SELECT ... FOR UPDATE is needed (SQLite writers already hold the lock)."""
    return conn.dialect.name == "postgresql"


def sorted_ids(ids: Iterable[int]) -> Sequence[int]:
    """Return distinct ids in ascending order, the order rows are locked in (no deadlocks)."""
    return sorted(set(ids))
