"""Migrations: the shipped Alembic revisions build exactly the schema the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from unn_ingest.storage import Store
from unn_ingest.storage.models import Base

TABLES = {"alembic_version", "story", "article", "article_revision", "edition_link", "fetch_log"}


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    Store.open(db_url).close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == TABLES
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert context.get_current_revision() == "0002"
    finally:
        engine.dispose()
