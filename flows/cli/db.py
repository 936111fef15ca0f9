"""The `db` commands: which schema revision a database is at, and migrating it to the head."""

from __future__ import annotations

from pathlib import Path

import typer

from unn_ingest.flows.cli.options import (
    DataDir,
    Db,
    JsonOut,
    console,
    existing_database,
    print_json,
    user_errors,
)

db_app = typer.Typer(no_args_is_help=True)


def _database_url(db: str | None, data_dir: Path | None) -> str:
    """Return the URL of an existing database (neither command creates one)."""
    return existing_database(db, data_dir)


@db_app.command()
def current(db: Db = None, data_dir: DataDir = None, json_out: JsonOut = False) -> None:
    """Show the database's schema revision and the one this version of unn-ingest needs."""
    from unn_ingest.storage import UPGRADE_COMMAND, schema_revisions

    with user_errors():
        revisions = schema_revisions(_database_url(db, data_dir))
    if json_out:
        print_json({**vars(revisions), "up_to_date": revisions.up_to_date})
        return
    if revisions.current is None:
        state = "empty (the first run creates the schema)"
    elif revisions.up_to_date:
        state = "up to date"
    else:
        state = f"behind: run `{UPGRADE_COMMAND}`"
    console.print(f"current {revisions.current or '-'}, head {revisions.head}: {state}")


@db_app.command()
def upgrade(db: Db = None, data_dir: DataDir = None) -> None:
    """Migrate the database to this version's head revision, keeping every row."""
    from unn_ingest.storage import upgrade_schema

    with user_errors():
        before = upgrade_schema(_database_url(db, data_dir))
    if before.up_to_date:
        console.print(f"already at head {before.head}: nothing to do")
    else:
        console.print(f"upgraded {before.current or 'an empty database'} -> {before.head}")
