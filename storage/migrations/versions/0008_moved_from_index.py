"""An index on `article.moved_from`: explicit links that name a moved article's old URL are
resolved to it (they join its story, and the old URL is not fetched again as a link target).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Index `article.moved_from`."""
    op.create_index("ix_article_moved_from", "article", ["moved_from"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_article_moved_from", table_name="article")
