"""Records the pure core produces: what a page says, in plain frozen dataclasses.

Light on purpose (no numpy, no trafilatura), so that storage can import them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LanguageTag:
    """The language a text is written in, as detected."""

    language: str  # "uk", "ru", "en", another ISO 639-1 code, or "unknown"
    confidence: float  # 0..1
    method: str  # how it was decided: "letters", "langdetect", "too-short", ...


@dataclass(frozen=True, slots=True)
class EditionLink:
    """An explicit pointer from a page to another edition of the same story."""

    edition: str  # the edition pointed at: "uk", "en", "ru"
    url: str  # absolute article URL
    method: str  # "hreflang" or "switcher"


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image of the article: its URL, the caption shown with it and the photo credit."""

    url: str
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """A run of body paragraphs under one subhead ("" for the paragraphs before the first)."""

    subhead: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """One article page, extracted: text, metadata and explicit edition links."""

    url: str  # canonical article URL (absolute)
    edition: str  # from the URL: "uk", "en", "ru"
    slug: str
    title: str
    lead: str
    paragraphs: tuple[str, ...]  # body paragraphs and subheads in page order, NFC, no lead
    authors: tuple[str, ...] = ()
    rubric: str | None = None  # the rubric's name in the edition's language
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    published_at: datetime | None = None  # UTC, aware
    modified_at: datetime | None = None  # UTC, aware
    links: tuple[EditionLink, ...] = ()
    extractor_version: str = ""
    # The rubric's URL path without the edition prefix ("/politics"): the same in every edition.
    rubric_key: str | None = None
    image: ImageRef | None = None  # the lead image with its caption and credit
    images: tuple[ImageRef, ...] = ()  # the body's images, in page order
    sections: tuple[Section, ...] = ()  # the body by subhead (the same text as `paragraphs`)
    profile_version: str = ""  # the site profile version that read the page
    warnings: tuple[str, ...] = field(default=())
    # Who found each part on a site page: (part, source), e.g. ("body", "profile"),
    # ("switcher", "structure"); read by the drift alarm (extractors.drift).
    sources: tuple[tuple[str, str], ...] = ()

    @property
    def body(self) -> str:
        """Return the body as paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class DiscoveredItem:
    """An article URL seen in a feed or listing, with what the source said of it."""

    url: str
    edition: str
    slug: str
    published_at: datetime | None  # UTC, aware
    title: str | None = None
    source: str = "feed"  # "feed", "listing", "link"
    rubric: str | None = None  # the feed item's category, where it has one


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """The language-neutral evidence one article offers to content matching."""

    article_id: int
    edition: str
    published_at: datetime | None
    image: str | None  # lead image file name
    numbers: frozenset[str]
    names: frozenset[str]
    # trigram bit set, see matching_features.trigram_sketch
    sketch: int = field(repr=False, compare=False)
    length: int = 0  # characters of cleaned text
    # word stem bit set, see matching_features.stem_sketch
    stems: int = field(default=0, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class AnalysedArticle:
    """One article page, extracted, language-tagged and fingerprinted: what the store upserts."""

    article: ExtractedArticle
    lang: LanguageTag
    lang_mismatch: bool
    content_hash: str
    minhash: bytes | None  # None: not fingerprinted (analysis always gives one)
    word_count: int
    fetched_at: datetime  # aware: when the analysed page was fetched
    # For content matching (article_id 0 until stored) and the numbers a republication must
    # repeat; None when the analysis left them out (`reprocess`, which matches from the rows).
    features: ArticleFeatures | None
    facts: frozenset[str] | None
