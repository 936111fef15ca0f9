"""The frontier in the fetch log: discovery time, failure stage and kind; robots.txt fetches.

- `discovered_at`: when a URL was first listed (it is stored before it is fetched);
- `stage`: where its last failure happened ("fetch", "robots", ...; NULL when it succeeded);
- `transient`: whether that failure is worth retrying soon (NULL when it succeeded);
- kind 'robots' for robots.txt fetches; an index on `next_attempt_at` (what is due).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unn_ingest.storage.types import UTCDateTime

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

OLD_KINDS = "kind IN ('article', 'feed', 'listing', 'amp')"
NEW_KINDS = "kind IN ('article', 'feed', 'listing', 'amp', 'robots')"


def upgrade() -> None:
    """Add the frontier's columns and index; allow robots.txt in the log."""
    with op.batch_alter_table("fetch_log") as batch:
        batch.add_column(sa.Column("discovered_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("stage", sa.String(16), nullable=True))
        batch.add_column(sa.Column("transient", sa.Boolean(), nullable=True))
        batch.drop_constraint("ck_fetch_log_kind", type_="check")
        batch.create_check_constraint("kind", NEW_KINDS)
    op.create_index("ix_fetch_log_next_attempt_at", "fetch_log", ["next_attempt_at"])


def downgrade() -> None:
    """Drop them again (robots.txt rows go first: the old kinds do not include them)."""
    op.drop_index("ix_fetch_log_next_attempt_at", "fetch_log")
    op.execute("DELETE FROM fetch_log WHERE kind = 'robots'")
    with op.batch_alter_table("fetch_log") as batch:
        batch.drop_constraint("ck_fetch_log_kind", type_="check")
        batch.create_check_constraint("kind", OLD_KINDS)
        for column in ("transient", "stage", "discovered_at"):
            batch.drop_column(column)
