"""Migrations: the shipped revisions build the models' schema, keep every row, gate old databases.

The upgrade tests hold for any chain of revisions: a database is filled at the first revision
(with rows written against that revision's own tables) and upgraded to whatever head the
package ships; a test-only revision on top of the head stands in for "the code is newer".
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, create_engine, inspect, select
from typer.testing import CliRunner

from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.storage import (
    UPGRADE_COMMAND,
    SchemaBehindError,
    Store,
    schema_revisions,
    upgrade_schema,
)
from unn_ingest.storage import engine as storage_engine
from unn_ingest.storage.models import Base

TABLES = {
    "alembic_version",
    "story",
    "article",
    "article_revision",
    "edition_link",
    "fetch_log",
    "edition_watermark",
    "coverage_gap",
}
AT = datetime(2025, 11, 19, 9, 0, tzinfo=UTC)
runner = CliRunner()
_register_subcommands()


def alembic_config(location: Path = storage_engine.MIGRATIONS) -> Config:
    config = Config()
    config.set_main_option("script_location", str(location))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@pytest.fixture
def connection(db_url: str) -> Iterator[Connection]:
    engine = storage_engine.create(storage_engine.parse_url(db_url))  # SQLite: makes its folder
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def upgrade_to(conn: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = conn
    with conn.begin():
        command.upgrade(config, revision)


def rows_of_the_first_revision() -> dict[str, list[dict[str, Any]]]:
    """Return rows for every table of revision 0001, touching each column and relation."""
    article = {
        "edition": "uk", "title": "T", "lead": "L", "body": "B", "authors": ["A"],
        "rubric": "R", "tags": ["t"], "image_url": None, "published_at": AT,
        "modified_at": None, "lang_detected": "uk", "lang_confidence": 0.9,
        "lang_method": "langdetect", "lang_mismatch": False, "link_score": None,
        "word_count": 1, "minhash": b"\x01\x02", "duplicate_score": None,
        "extractor_version": "v1", "first_seen_at": AT, "last_fetched_at": AT,
        "last_changed_at": AT,
    }  # fmt: skip
    articles = [
        {**article, "id": 1, "story_id": 1, "slug": "a", "url": "http://x/news/a",
         "link_method": "hreflang", "content_hash": "h1", "duplicate_of_id": None},
        {**article, "id": 2, "story_id": 1, "edition": "en", "slug": "b",
         "url": "http://x/en/news/b", "link_method": "content", "link_score": 0.8,
         "content_hash": "h2", "duplicate_of_id": None},
        {**article, "id": 3, "story_id": None, "slug": "c", "url": "http://x/news/c",
         "link_method": "none", "content_hash": "h1", "duplicate_of_id": 1,
         "duplicate_score": 0.93},
    ]  # fmt: skip
    return {
        "story": [{"id": 1, "created_at": AT, "updated_at": AT}],
        "article": articles,
        "article_revision": [
            {
                "id": 1,
                "article_id": 1,
                "title": "T0",
                "lead": "L0",
                "body": "B0",
                "content_hash": "h0",
                "valid_until": AT,
            },
        ],
        "edition_link": [
            {
                "id": 1,
                "from_article_id": 1,
                "edition": "en",
                "to_url": "http://x/en/news/b",
                "method": "hreflang",
            },
        ],
        "fetch_log": [
            {
                "url": "http://x/news/a",
                "kind": "article",
                "status": 200,
                "etag": '"e"',
                "last_modified": None,
                "content_hash": "h1",
                "attempts": 0,
                "last_error": None,
                "next_attempt_at": None,
                "last_fetched_at": AT,
                "archive_ref": None,
            },
            {
                "url": "http://x/rss/news.xml",
                "kind": "feed",
                "status": 503,
                "etag": None,
                "last_modified": None,
                "content_hash": None,
                "attempts": 2,
                "last_error": "HTTP 503",
                "next_attempt_at": AT,
                "last_fetched_at": AT,
                "archive_ref": None,
            },
        ],
    }


def read_rows(conn: Connection, table_names: list[str]) -> dict[str, list[dict[str, Any]]]:
    meta = MetaData()
    meta.reflect(conn, only=table_names)
    found = {}
    for name in table_names:
        table = meta.tables[name]
        key = table.c.id if "id" in table.c else table.c.url
        found[name] = [dict(r._mapping) for r in conn.execute(select(table).order_by(key))]
    return found


def normalised(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def assert_rows_kept(found: dict[str, list[dict[str, Any]]], expected: dict[str, Any]) -> None:
    """Every row is still there, with the same value in every column it had."""
    for table, rows in expected.items():
        assert len(found[table]) == len(rows), table
        for before, after in zip(rows, found[table], strict=True):
            kept = {k: normalised(after[k]) for k in before if k in after}
            assert kept == {k: normalised(v) for k, v in before.items()}, table


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    Store.open(db_url).close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == TABLES
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert context.get_current_revision() == head_revision()
    finally:
        engine.dispose()


def test_upgrade_from_the_first_revision_keeps_every_row(
    db_url: str, connection: Connection
) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    first = script.get_base()
    assert first == "0001"  # the rows below are written against this revision's tables
    upgrade_to(connection, first)
    rows = rows_of_the_first_revision()
    with connection.begin():
        meta = MetaData()
        meta.reflect(connection)
        for table, values in rows.items():
            connection.execute(meta.tables[table].insert(), values)
    if first != head_revision():
        with pytest.raises(SchemaBehindError, match=UPGRADE_COMMAND):
            Store.open(db_url)
    assert upgrade_schema(db_url).current == first
    assert schema_revisions(db_url).up_to_date
    with connection.begin():
        assert_rows_kept(read_rows(connection, list(rows)), rows)
    with Store.open(db_url) as store:  # and the code at head reads them
        view = store.article("http://x/en/news/b")
        assert view is not None and view.title == "T"
        assert store.counts()["articles"] == {"uk": 2, "en": 1}


def newer_code(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Make the package ship one more revision (a column on `story`); return the real head."""
    location = tmp_path / "newer-migrations"
    shutil.copytree(storage_engine.MIGRATIONS, location)
    head = head_revision()
    (location / "versions" / "9999_test_extra.py").write_text(
        f'''"""Test-only revision: one nullable column."""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("story") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("story") as batch:
        batch.drop_column("note")
''',
        encoding="utf-8",
    )
    monkeypatch.setattr(storage_engine, "MIGRATIONS", location)
    return head


def test_a_database_behind_the_code_is_refused_until_db_upgrade(
    db_url: str, make_input: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with Store.open(db_url) as store:  # created by the code as shipped
        store.upsert_articles([make_input("uk", "kept"), make_input("en", "kept-too")])
    head = newer_code(monkeypatch, tmp_path)
    with pytest.raises(SchemaBehindError) as raised:
        Store.open(db_url)
    message = str(raised.value)
    assert f"at schema revision {head}" in message and "needs 9999" in message
    assert f"run `{UPGRADE_COMMAND}`" in message and "\n" not in message
    refused = runner.invoke(app, ["stories", "--db", db_url])
    assert refused.exit_code == 2 and UPGRADE_COMMAND in " ".join(refused.output.split())
    assert "Traceback" not in refused.output
    shown = runner.invoke(app, ["db", "current", "--db", db_url])
    assert shown.exit_code == 0
    assert f"current {head}, head 9999: behind" in " ".join(shown.output.split())
    upgraded = runner.invoke(app, ["db", "upgrade", "--db", db_url])
    assert upgraded.exit_code == 0 and f"upgraded {head} -> 9999" in upgraded.output
    again = runner.invoke(app, ["db", "upgrade", "--db", db_url])
    assert again.exit_code == 0 and "already at head 9999" in again.output
    with Store.open(db_url) as store:
        assert store.counts()["articles"] == {"uk": 1, "en": 1}


def test_an_empty_database_is_created_at_head_without_asking(db_url: str) -> None:
    assert schema_revisions(db_url).current is None
    Store.open(db_url).close()
    assert schema_revisions(db_url).current == head_revision()


def test_a_database_newer_than_the_code_is_refused(db_url: str, connection: Connection) -> None:
    Store.open(db_url).close()
    with connection.begin():
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'fffe'")
    with pytest.raises(Exception, match="newer than this unn-ingest knows"):
        Store.open(db_url)
