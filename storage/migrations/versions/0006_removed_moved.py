"""Removed and moved articles: when the site took an article down, and its former URL.

- `removed_at`: when a revisit first found the article gone (404 or 410); NULL while published;
- `removed_status`: the status that said so;
- `moved_from`: the URL the article had before the site moved it to a new slug (a redirect).

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unn_ingest.storage.types import UTCDateTime

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the removal and move columns to `article`."""
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("removed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("removed_status", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("moved_from", sa.Text(), nullable=True))
    op.create_index("ix_article_removed_at", "article", ["removed_at"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_article_removed_at", "article")
    with op.batch_alter_table("article") as batch:
        for column in ("moved_from", "removed_status", "removed_at"):
            batch.drop_column(column)
