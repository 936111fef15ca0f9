"""The record store: normalised stories, articles, revisions, explicit links and the fetch log.

The only package with SQL. `Store.open(url)` opens SQLite (default) or PostgreSQL
(`postgresql+psycopg://...`), applying the package's Alembic migrations; writes are upserts
on database constraints, so re-runs and overlapping runs are idempotent.
"""

from unn_ingest.storage.errors import (
    StorageConfigError,
    StorageError,
    StorageMigrationError,
    StorageUnavailableError,
)
from unn_ingest.storage.export import EXPORT_FIELDS
from unn_ingest.storage.records import (
    ArticleInput,
    FetchRecord,
    RetryDelays,
    StoryGroup,
    StoryMember,
)
from unn_ingest.storage.reextract import Reextracted
from unn_ingest.storage.rows import (
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
from unn_ingest.storage.store import Store

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
    "Reextracted",
    "RetryDelays",
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
