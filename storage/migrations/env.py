"""Alembic environment: migrate the connection `Store.open` hands over (or the configured URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from unn_ingest.storage.models import Base


def run_on(connection: Connection) -> None:
    """Run the pending migrations on an open connection."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    """Migrate the given connection, or a fresh one to `sqlalchemy.url` (the alembic CLI)."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        run_on(conn)
        conn.commit()


run()
