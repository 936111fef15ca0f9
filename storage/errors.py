"""The storage layer's exceptions; everything SQLAlchemy or a driver raises is turned into these.

StorageError                 base: any failure of the record store, one-line message
 ├── StorageConfigError      the database URL is malformed or names an unknown driver
 ├── StorageUnavailableError the database cannot be reached or opened
 └── StorageMigrationError   the schema could not be brought to the package's head revision
      └── SchemaBehindError   the database is at an older revision: `unn-ingest db upgrade`
"""

from __future__ import annotations


class StorageError(Exception):
    """A failure of the record store, with a one-line message."""


class StorageConfigError(StorageError):
    """The database URL is malformed or names a driver that is not installed."""


class StorageUnavailableError(StorageError):
    """The database cannot be reached or opened."""


class StorageMigrationError(StorageError):
    """The schema could not be migrated to the package's head revision."""


class SchemaBehindError(StorageMigrationError):
    """The database is at an older schema revision than the code; `db upgrade` fixes it."""


def one_line(error: BaseException) -> str:
    """Return the first non-empty line of an error's message (driver messages span lines)."""
    origin = getattr(error, "orig", None) or error
    for line in str(origin).splitlines():
        line = line.strip()
        if line:
            return line[:300]
    return type(origin).__name__


__all__ = [
    "SchemaBehindError",
    "StorageConfigError",
    "StorageError",
    "StorageMigrationError",
    "StorageUnavailableError",
]
