"""Records that go into the store: what the pipeline hands over to be written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from unn_ingest.extractors.records import ExtractedArticle, LanguageTag


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """One extracted, language-tagged article page, ready to upsert."""

    article: ExtractedArticle
    lang: LanguageTag
    lang_mismatch: bool
    content_hash: str
    minhash: bytes | None
    word_count: int
    fetched_at: datetime  # aware


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """The outcome of one fetch, to be written to the fetch log."""

    url: str
    kind: str  # "article", "feed", "listing", "amp"
    status: int | None  # None: no response (connection error, timeout)
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    error: str | None  # None: success (2xx or 304)
    fetched_at: datetime  # aware
    archive_ref: str | None = None


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One article of a story group and how it joined the story."""

    article_id: int
    method: str  # "hreflang", "switcher", "content" or "none"
    score: float | None


@dataclass(frozen=True, slots=True)
class StoryGroup:
    """Articles that form one story, as the linker decided."""

    members: tuple[StoryMember, ...]
