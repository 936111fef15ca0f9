"""Create the record tables: story, article, article_revision, edition_link, fetch_log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unn_ingest.storage.types import UTCDateTime

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

LINK_METHODS = "link_method IN ('hreflang', 'switcher', 'content', 'none')"


def upgrade() -> None:
    """Create the tables and their indexes."""
    op.create_table(
        "story",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_story"),
    )
    _create_article()
    _create_article_revision()
    _create_edition_link()
    _create_fetch_log()


def downgrade() -> None:
    """Drop every table."""
    for table in ("fetch_log", "edition_link", "article_revision", "article", "story"):
        op.drop_table(table)


def _create_article() -> None:
    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("edition", sa.String(8), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("lead", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("rubric", sa.Text(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("modified_at", UTCDateTime(), nullable=True),
        sa.Column("lang_detected", sa.String(16), nullable=False),
        sa.Column("lang_confidence", sa.Float(), nullable=False),
        sa.Column("lang_method", sa.String(32), nullable=False),
        sa.Column("lang_mismatch", sa.Boolean(), nullable=False),
        sa.Column("link_method", sa.String(16), nullable=False),
        sa.Column("link_score", sa.Float(), nullable=True),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("minhash", sa.LargeBinary(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_score", sa.Float(), nullable=True),
        sa.Column("extractor_version", sa.String(64), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_fetched_at", UTCDateTime(), nullable=False),
        sa.Column("last_changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_article"),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name="fk_article_story_id_story"),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"], ["article.id"], name="fk_article_duplicate_of_id_article"
        ),
        sa.UniqueConstraint("url", name="uq_article_url"),
        sa.UniqueConstraint("edition", "slug", name="uq_article_edition_slug"),
        sa.CheckConstraint(LINK_METHODS, name="ck_article_link_method"),
    )
    op.create_index("ix_article_published_at", "article", ["published_at"])
    op.create_index("ix_article_story_id", "article", ["story_id"])
    op.create_index("ix_article_content_hash", "article", ["content_hash"])


def _create_article_revision() -> None:
    op.create_table(
        "article_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("lead", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("valid_until", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_article_revision"),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["article.id"],
            name="fk_article_revision_article_id_article",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("article_id", "content_hash", name="uq_article_revision_article_hash"),
    )


def _create_edition_link() -> None:
    op.create_table(
        "edition_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_article_id", sa.Integer(), nullable=False),
        sa.Column("edition", sa.String(8), nullable=False),
        sa.Column("to_url", sa.Text(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_edition_link"),
        sa.ForeignKeyConstraint(
            ["from_article_id"],
            ["article.id"],
            name="fk_edition_link_from_article_id_article",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("from_article_id", "to_url", "method", name="uq_edition_link_from_to"),
        sa.CheckConstraint("method IN ('hreflang', 'switcher')", name="ck_edition_link_method"),
    )
    op.create_index("ix_edition_link_to_url", "edition_link", ["to_url"])


def _create_fetch_log() -> None:
    op.create_table(
        "fetch_log",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(128), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_fetched_at", UTCDateTime(), nullable=True),
        sa.Column("archive_ref", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("url", name="pk_fetch_log"),
        sa.CheckConstraint(
            "kind IN ('article', 'feed', 'listing', 'amp')", name="ck_fetch_log_kind"
        ),
    )
