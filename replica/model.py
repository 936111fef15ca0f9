"""The replica's story catalogue: stories, their editions and their revisions.

`replica.catalogue.build_catalogue` produces these; `replica.site` renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

BlockKind = Literal["p", "h2", "quote"]
LinkVariant = Literal["hreflang", "switcher", "home"]


@dataclass(frozen=True, slots=True)
class Block:
    """One body block: a paragraph, a subhead or a quoted paragraph."""

    kind: BlockKind
    text: str


@dataclass(frozen=True, slots=True)
class Revision:
    """An earlier text of an edition, shown until `replaced_at` (UTC)."""

    replaced_at: datetime
    title: str
    lead: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class EditionText:
    """One language edition of a story, as currently published."""

    edition: str  # "uk", "en", "ru": the URL's edition
    slug: str
    title: str
    lead: str
    blocks: tuple[Block, ...]
    author: str  # in the edition's script
    rubric: str  # localised rubric name, e.g. "Politics", "Політика", "Политика"
    tags: tuple[str, ...] = ()
    language: str = ""  # the language the body is really in; "" means the edition's
    delay_minutes: int = 0  # appears this long after the story's published_at
    revisions: tuple[Revision, ...] = ()  # oldest first
    photo_credit: str | None = None

    @property
    def true_language(self) -> str:
        """Return the language the body is written in."""
        return self.language or self.edition


@dataclass(frozen=True, slots=True)
class Story:
    """One news event with one to three editions."""

    story_id: str  # "h001" for hand-written, "g00042" for generated
    published_at: datetime  # UTC; every edition's page shows this time
    rubric_key: str  # "politics", "economics", "world", "society", "war", ...
    image_path: str  # "/img/YYYY/MM/DD/<unix-ts>-<4 digits>-large.webp"
    editions: dict[str, EditionText]
    link_variant: LinkVariant = "switcher"
    republication_of: str | None = None  # story_id this one republishes under new slugs
    handwritten: bool = False
    exclusive: bool = False
    badges: tuple[str, ...] = field(default=())  # "Photo", "Video"
