"""The record store: normalised stories, articles, revisions, explicit links and the fetch log.

The only package with SQL. `Store.open(url)` opens SQLite (default) or PostgreSQL
(`postgresql+psycopg://...`), creating the schema of an empty database; a database at an
older revision is refused until `upgrade_schema` (`unn-ingest db upgrade`); writes are upserts
on database constraints, so re-runs and overlapping runs are idempotent.
"""

from unn_ingest.storage.completeness import COMPLETENESS_FIELDS, FieldCompleteness
from unn_ingest.storage.coverage import GapRow
from unn_ingest.storage.engine import UPGRADE_COMMAND, SchemaRevisions
from unn_ingest.storage.errors import (
    SchemaBehindError,
    StorageConfigError,
    StorageError,
    StorageMigrationError,
    StorageUnavailableError,
)
from unn_ingest.storage.export import ARTICLE_COLUMNS, EXPORT_FIELDS, story_columns
from unn_ingest.storage.records import (
    FetchRecord,
    RetryDelays,
    StoryGroup,
    StoryMember,
)
from unn_ingest.storage.reextract import Reextracted
from unn_ingest.storage.removals import Move, RemovedArticle
from unn_ingest.storage.rows import (
    ArticleRow,
    ArticleView,
    FetchState,
    LinkGraph,
    RevisionView,
    StoryEdition,
    StorySummary,
    UpsertOutcome,
    UpsertStatus,
)
from unn_ingest.storage.store import Store, schema_revisions, upgrade_schema

__all__ = [
    "ARTICLE_COLUMNS",
    "COMPLETENESS_FIELDS",
    "EXPORT_FIELDS",
    "UPGRADE_COMMAND",
    "ArticleRow",
    "ArticleView",
    "FetchRecord",
    "FetchState",
    "FieldCompleteness",
    "GapRow",
    "LinkGraph",
    "Move",
    "Reextracted",
    "RemovedArticle",
    "RetryDelays",
    "RevisionView",
    "SchemaBehindError",
    "SchemaRevisions",
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
    "schema_revisions",
    "story_columns",
    "upgrade_schema",
]
