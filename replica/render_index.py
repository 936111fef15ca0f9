"""The catalogue indexed for rendering: editions by path, and what is visible at a given time.

`CatalogueIndex` is built once per site; `Snapshot` is the visible part at one clock value
(cached by the site, since listings, feeds and widgets all need it).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from unn_ingest.replica.model import Block, EditionText, Story
from unn_ingest.replica.render_text import EDITIONS, PREFIX, stable_hash


@dataclass(frozen=True, slots=True)
class Entry:
    """One edition of one story, with its paths and when it appears."""

    story: Story
    text: EditionText
    edition: str
    visible_from: datetime
    path: str  # "/en/news/<slug>"
    amp_path: str  # "/en/amp/<slug>"
    guid: str  # the feeds' opaque id
    position: int  # index in the edition's list, oldest first


@dataclass(frozen=True, slots=True)
class Shown:
    """The text an edition shows at one time: the current text or an earlier revision."""

    title: str
    lead: str
    blocks: tuple[Block, ...]
    version: int  # 0 for the first text, +1 for each correction already made
    changed_at: datetime  # when this text appeared (visibility or the last correction)


def shown_text(entry: Entry, now: datetime) -> Shown:
    """Return the text visible at `now`: the earliest revision not yet replaced, else current."""
    text = entry.text
    passed = [r for r in text.revisions if r.replaced_at <= now]
    changed_at = max([entry.visible_from, *(r.replaced_at for r in passed)])
    for index, revision in enumerate(text.revisions):
        if revision.replaced_at > now:
            return Shown(revision.title, revision.lead, revision.blocks, index, changed_at)
    return Shown(text.title, text.lead, text.blocks, len(text.revisions), changed_at)


class CatalogueIndex:
    """Every edition of every story, by path and by edition in publish order."""

    def __init__(self, stories: Iterable[Story], seed: int) -> None:
        self.stories: dict[str, Story] = {}
        self.by_path: dict[str, Entry] = {}
        self.by_amp_path: dict[str, Entry] = {}
        self.by_edition: dict[str, list[Entry]] = {code: [] for code in EDITIONS}
        self.image_paths: set[str] = set()
        ordered = sorted(stories, key=lambda s: (s.published_at, s.story_id))
        # Last-Modified of a page with no items: the catalogue's first publish time.
        self.epoch = ordered[0].published_at if ordered else datetime(2007, 1, 1, tzinfo=UTC)
        for story in ordered:
            self._add(story, seed)
        self._published = {
            code: [e.story.published_at for e in entries]
            for code, entries in self.by_edition.items()
        }

    def _add(self, story: Story, seed: int) -> None:
        self.stories[story.story_id] = story
        self.image_paths.add(story.image_path)
        for code in EDITIONS:
            text = story.editions.get(code)
            if text is None:
                continue
            entries = self.by_edition[code]
            entry = Entry(
                story=story,
                text=text,
                edition=code,
                visible_from=story.published_at + timedelta(minutes=text.delay_minutes),
                path=f"{PREFIX[code]}/news/{text.slug}",
                amp_path=f"{PREFIX[code]}/amp/{text.slug}",
                guid=f"{1_400_000 + stable_hash(seed, 'guid', story.story_id, code) % 600_000}",
                position=len(entries),
            )
            entries.append(entry)
            self.by_path[entry.path] = entry
            self.by_amp_path[entry.amp_path] = entry

    def entry(self, story_id: str, edition: str) -> Entry | None:
        """Return one edition of a story by the story's id, or None."""
        story = self.stories.get(story_id)
        if story is None or edition not in story.editions:
            return None
        return self.by_path[f"{PREFIX[edition]}/news/{story.editions[edition].slug}"]

    def earlier(self, entry: Entry, count: int) -> list[Entry]:
        """Return up to `count` entries of the same edition published before this one."""
        entries = self.by_edition[entry.edition]
        stop = bisect_left(self._published[entry.edition], entry.story.published_at)
        return entries[max(0, stop - count) : stop]


class Snapshot:
    """The editions visible at one clock value, newest first per edition."""

    def __init__(self, index: CatalogueIndex, now: datetime) -> None:
        self.now = now
        self.visible: dict[str, list[Entry]] = {
            code: [e for e in reversed(entries) if e.visible_from <= now]
            for code, entries in index.by_edition.items()
        }

    def all_entries(self) -> list[Entry]:
        """Return every visible edition, oldest story first, editions in uk/en/ru order."""
        merged = [e for code in EDITIONS for e in self.visible[code]]
        order = {code: i for i, code in enumerate(EDITIONS)}
        return sorted(
            merged, key=lambda e: (e.story.published_at, e.story.story_id, order[e.edition])
        )


def is_visible(entry: Entry, now: datetime) -> bool:
    """Return True when the edition has appeared at `now`."""
    return entry.visible_from <= now
