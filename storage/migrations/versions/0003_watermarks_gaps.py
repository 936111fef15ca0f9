"""Catch-up: each edition's watermark and the coverage gaps left past the catch-up horizon.

- `edition_watermark`: per edition, the newest publish time a completed `ingest` covered;
- `coverage_gap`: a span of publish times not walked (recorded, shown by `failures` and
  `health`, filled by `backfill`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unn_ingest.storage.types import UTCDateTime

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the two tables."""
    op.create_table(
        "edition_watermark",
        sa.Column("edition", sa.String(8), nullable=False),
        sa.Column("covered_until", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("edition", name="pk_edition_watermark"),
    )
    op.create_table(
        "coverage_gap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition", sa.String(8), nullable=False),
        sa.Column("gap_from", UTCDateTime(), nullable=False),
        sa.Column("gap_to", UTCDateTime(), nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.Column("filled_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_coverage_gap"),
        sa.UniqueConstraint("edition", "gap_from", "gap_to", name="uq_coverage_gap_edition_span"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("coverage_gap")
    op.drop_table("edition_watermark")
