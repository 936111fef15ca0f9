"""Every field a page shows: the rubric's key, the lead image's caption and credit, the body's
images and sections, and the profile version that read the page.

- `rubric_key`: the rubric's URL path without the edition prefix ("/politics"), shared by the
  three editions of a story;
- `image_caption`, `image_credit`: shown with the lead image (`image_url`);
- `images`: the body's images as JSON [{"url", "caption", "credit"}, ...];
- `sections`: the body by subhead as JSON [{"subhead", "paragraphs": [...]}, ...];
- `profile_version`: the site profile version whose class names read the page.

Rows stored before keep NULL until `unn-ingest reprocess` re-reads their archived pages.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

COLUMNS = (
    ("rubric_key", sa.Text),
    ("image_caption", sa.Text),
    ("image_credit", sa.Text),
    ("images", sa.JSON),
    ("sections", sa.JSON),
    ("profile_version", lambda: sa.String(64)),
)


def upgrade() -> None:
    """Add the page-field columns (nullable: older rows have none until reprocessed)."""
    with op.batch_alter_table("article") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind(), nullable=True))
    op.create_index("ix_article_rubric_key", "article", ["rubric_key"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_article_rubric_key", "article")
    with op.batch_alter_table("article") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
