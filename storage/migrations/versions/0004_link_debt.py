"""Link debt: `article.link_pending` marks an article stored but not yet through linking.

The store sets it in the transaction that inserts an article or changes its text; the pipeline
clears it once story formation and content linking have covered the article, so a run that
dies in between leaves the work recorded for the next run that covers the article's day.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the column (every stored article starts settled) and its index."""
    # A plain ADD COLUMN (a constant default), not a batch copy: other tables refer to article.
    op.add_column(
        "article",
        sa.Column("link_pending", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_article_link_pending", "article", ["link_pending"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_article_link_pending", "article")
    op.drop_column("article", "link_pending")  # SQLite 3.35+ drops a column in place
