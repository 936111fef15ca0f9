"""Records that come out of the store: write outcomes and read views, plain frozen dataclasses.

The link graph is made of the linker's own nodes and edges (`extractors.linking`), so it goes
to the linker as it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from unn_ingest.extractors.linking import LinkEdge, LinkNode

UpsertStatus = Literal["new", "updated", "unchanged"]


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    """What `upsert_articles` did with one input."""

    article_id: int
    url: str
    edition: str
    status: UpsertStatus


@dataclass(frozen=True, slots=True)
class FetchState:
    """What the fetch log knows about one URL (validators for a conditional GET, retries)."""

    url: str
    kind: str
    status: int | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    attempts: int
    last_fetched_at: datetime | None
    last_error: str | None
    next_attempt_at: datetime | None
    archive_ref: str | None
    discovered_at: datetime | None = None
    stage: str | None = None  # where the last failure happened (None: it succeeded)
    transient: bool | None = None  # that failure is retried soon (False: rarely)


@dataclass(frozen=True, slots=True)
class LinkGraph:
    """Articles connected through explicit links or a shared story, and their explicit links."""

    nodes: tuple[LinkNode, ...]  # ordered by article_id
    edges: tuple[LinkEdge, ...]  # the stored explicit links (score 1.0), ordered by (a, b, method)


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """An article as the content linker and near-duplicate detector see it."""

    id: int
    edition: str
    url: str
    story_id: int | None
    published_at: datetime | None
    title: str
    lead: str
    body: str
    image_url: str | None
    link_method: str
    minhash: bytes | None
    duplicate_of_id: int | None
    content_hash: str


@dataclass(frozen=True, slots=True)
class StoryEdition:
    """One edition as listed in a story summary."""

    article_id: int
    edition: str
    title: str
    url: str
    link_method: str
    link_score: float | None
    removed_at: datetime | None = None  # the site took this edition down


@dataclass(frozen=True, slots=True)
class StorySummary:
    """A story with its editions, for listings."""

    id: int
    published_at: datetime | None  # the earliest edition's
    editions: tuple[StoryEdition, ...]  # ordered uk, en, ru, then others


@dataclass(frozen=True, slots=True)
class RevisionView:
    """A previous text of an article."""

    title: str
    lead: str
    body: str
    content_hash: str
    valid_until: datetime


@dataclass(frozen=True, slots=True)
class ArticleView:
    """Everything stored about one article, with its revisions and its story's other editions."""

    id: int
    story_id: int | None
    edition: str
    slug: str
    url: str
    title: str
    lead: str
    body: str
    authors: tuple[str, ...]
    rubric: str | None
    tags: tuple[str, ...]
    image_url: str | None
    published_at: datetime | None
    modified_at: datetime | None
    lang_detected: str
    lang_confidence: float
    lang_method: str
    lang_mismatch: bool
    link_method: str
    link_score: float | None
    word_count: int
    content_hash: str
    duplicate_of_id: int | None
    duplicate_of_url: str | None
    duplicate_score: float | None
    extractor_version: str
    first_seen_at: datetime
    last_fetched_at: datetime
    last_changed_at: datetime
    removed_at: datetime | None  # when a revisit first found it gone (404/410)
    removed_status: int | None
    moved_from: str | None  # its URL before the site changed its slug
    rubric_key: str | None  # the rubric's URL path without the edition prefix, e.g. "/politics"
    image_caption: str | None
    image_credit: str | None
    images: tuple[dict[str, str], ...]  # the body's images: {"url", "caption", "credit"}
    sections: tuple[dict[str, Any], ...]  # the body by subhead: {"subhead", "paragraphs"}
    profile_version: str | None
    revisions: tuple[RevisionView, ...]  # oldest first
    siblings: tuple[StoryEdition, ...]  # the story's other editions
    links: tuple[tuple[str, str, str], ...]  # explicit links seen: (edition, url, method)
