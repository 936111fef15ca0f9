"""Frontier claims a run can release: `fetch_log.claimed_until`.

A URL no run has attempted yet stays in the queue of the run that discovered it until
`claimed_until` (its discovery plus six hours); a run that ends releases what it queued and did
not attempt (NULL), so the next run fetches it at once. Rows from before this revision have no
claim: the upgrade runs between runs, when no queue is held.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unn_ingest.storage.types import UTCDateTime

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add `claimed_until` to `fetch_log`."""
    with op.batch_alter_table("fetch_log") as batch:
        batch.add_column(sa.Column("claimed_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("fetch_log") as batch:
        batch.drop_column("claimed_until")
