"""The record store: normalised stories, articles, revisions, explicit links and the fetch log.

The only package with SQL. `Store.open(url)` opens SQLite (default) or PostgreSQL
(`postgresql+psycopg://...`), applying the package's Alembic migrations; writes are upserts
on database constraints, so re-runs and overlapping runs are idempotent.
"""

from storage.errors import (
    StorageConfigError,
    StorageError,
    StorageMigrationError,
    StorageUnavailableError,
)
from storage.export import EXPORT_FIELDS
from storage.records import ArticleInput, FetchRecord, StoryGroup, StoryMember
from storage.rows import (
    ArticleRow,
    ArticleView,
    FetchState,
    LinkEdge,
    LinkGraph,
    LinkNodeRow,
    RevisionView,
    StoryEdition,
    StorySummary,
    UpsertOutcome,
    UpsertStatus,
)
from storage.store import Store

__all__ = [
    "EXPORT_FIELDS",
    "ArticleInput",
    "ArticleRow",
    "ArticleView",
    "FetchRecord",
    "FetchState",
    "LinkEdge",
    "LinkGraph",
    "LinkNodeRow",
    "RevisionView",
    "StorageConfigError",
    "StorageError",
    "StorageMigrationError",
    "StorageUnavailableError",
    "Store",
    "StoryEdition",
    "StoryGroup",
    "StoryMember",
    "StorySummary",
    "UpsertOutcome",
    "UpsertStatus",
]
