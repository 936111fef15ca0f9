"""The normalised record tables (SQLAlchemy 2 typed ORM); migrations mirror them exactly."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from unn_ingest.storage.types import UTCDateTime

# Stable constraint names, so migrations can address them on every dialect.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LINK_METHODS = ("hreflang", "switcher", "content", "none")
EXPLICIT_METHODS = ("hreflang", "switcher")
FETCH_KINDS = ("article", "feed", "listing", "amp", "robots")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    """The declarative base holding the shared metadata."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Story(Base):
    """One news event; its editions are the articles pointing at it."""

    __tablename__ = "story"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Article(Base):
    """One edition of a story, as last fetched."""

    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("edition", "slug", name="uq_article_edition_slug"),
        CheckConstraint(_one_of("link_method", LINK_METHODS), name="link_method"),
        Index("ix_article_published_at", "published_at"),
        Index("ix_article_story_id", "story_id"),
        Index("ix_article_content_hash", "content_hash"),
        Index("ix_article_removed_at", "removed_at"),
        Index("ix_article_rubric_key", "rubric_key"),
        Index("ix_article_link_pending", "link_pending"),
        Index("ix_article_moved_from", "moved_from"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("story.id"))
    edition: Mapped[str] = mapped_column(String(8))
    slug: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    lead: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON)
    rubric: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON)
    image_url: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    modified_at: Mapped[datetime | None]
    lang_detected: Mapped[str] = mapped_column(String(16))
    lang_confidence: Mapped[float] = mapped_column(Float)
    lang_method: Mapped[str] = mapped_column(String(32))
    lang_mismatch: Mapped[bool] = mapped_column(Boolean)
    link_method: Mapped[str] = mapped_column(String(16), default="none")
    link_score: Mapped[float | None] = mapped_column(Float)
    word_count: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(128))
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("article.id"))
    duplicate_score: Mapped[float | None] = mapped_column(Float)
    extractor_version: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime]
    last_fetched_at: Mapped[datetime]
    last_changed_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]  # a revisit found it gone (404/410) at this time
    removed_status: Mapped[int | None] = mapped_column(Integer)
    moved_from: Mapped[str | None] = mapped_column(Text)  # its URL before a slug change
    rubric_key: Mapped[str | None] = mapped_column(Text)  # "/politics": shared by the editions
    image_caption: Mapped[str | None] = mapped_column(Text)
    image_credit: Mapped[str | None] = mapped_column(Text)
    images: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # the body's images
    sections: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # the body by subhead
    profile_version: Mapped[str | None] = mapped_column(String(64))
    # Stored, but story formation and content linking have not covered it yet (link debt).
    link_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ArticleRevision(Base):
    """A previous text of an article, kept when a refetch showed changed content."""

    __tablename__ = "article_revision"
    __table_args__ = (
        UniqueConstraint("article_id", "content_hash", name="uq_article_revision_article_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    lead: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(128))
    valid_until: Mapped[datetime]


class EditionLinkEntry(Base):
    """An explicit link from a stored page to another edition (the target may not be stored)."""

    __tablename__ = "edition_link"
    __table_args__ = (
        UniqueConstraint("from_article_id", "to_url", "method", name="uq_edition_link_from_to"),
        CheckConstraint(_one_of("method", EXPLICIT_METHODS), name="method"),
        Index("ix_edition_link_to_url", "to_url"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    edition: Mapped[str] = mapped_column(String(8))
    to_url: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(16))


class FetchLogEntry(Base):
    """The last fetch of one URL: validators, outcome, retry state and archive location."""

    __tablename__ = "fetch_log"
    __table_args__ = (
        CheckConstraint(_one_of("kind", FETCH_KINDS), name="kind"),
        Index("ix_fetch_log_next_attempt_at", "next_attempt_at"),
    )

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    last_fetched_at: Mapped[datetime | None]
    archive_ref: Mapped[str | None] = mapped_column(Text)
    discovered_at: Mapped[datetime | None]  # listed by a feed or listing (the frontier)
    claimed_until: Mapped[datetime | None]  # in the queue of the run that found it until then
    stage: Mapped[str | None] = mapped_column(String(16))  # where the last failure happened
    transient: Mapped[bool | None] = mapped_column(Boolean)  # that failure is worth retrying


class EditionWatermark(Base):
    """How far back an edition's listings are covered: every article published at or before
    `covered_until` (down to the first run) was listed to a completed `ingest` run."""

    __tablename__ = "edition_watermark"

    edition: Mapped[str] = mapped_column(String(8), primary_key=True)
    covered_until: Mapped[datetime]
    updated_at: Mapped[datetime]


class CoverageGap(Base):
    """A span of publish times a catch-up did not walk (past its horizon): `backfill` fills it."""

    __tablename__ = "coverage_gap"
    __table_args__ = (
        UniqueConstraint("edition", "gap_from", "gap_to", name="uq_coverage_gap_edition_span"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[str] = mapped_column(String(8))
    gap_from: Mapped[datetime]  # covered up to here...
    gap_to: Mapped[datetime]  # ...and from here on
    found_at: Mapped[datetime]
    filled_at: Mapped[datetime | None]  # a backfill over the span completed
