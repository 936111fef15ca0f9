"""Parse the hand-written story files and build `Story` records for a given catalogue start.

File format (one story per `data/hNNN.toml`):

- story keys: `id`, `day` (days from the start's Kyiv date), `time` ("HH:MM", Kyiv),
  `rubric_key`, optional `link_variant`, `republication_of`, `exclusive`, `badges`,
  `photo_credit`;
- `[editions.uk|en|ru]`: `title`, `lead`, `body` (strings; "## " starts a subhead, "> " a
  quoted paragraph), `author`, `rubric`, `tags`, optional `language` (the body's real
  language when it is not the edition's), `delay_minutes`, `photo_credit`;
- `[[editions.xx.revisions]]`, oldest first: `replaced_after_minutes` (after the edition
  became visible) and either full `title` / `lead` / `body` or `edits`, a list of
  `[current, earlier]` string pairs applied to the current text. Missing fields are unchanged.

A republication (`republication_of`) may omit an edition's lead, body, author, rubric and tags:
they are taken from the original story.
"""

from __future__ import annotations

import tomllib
import zlib
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from unn_ingest.replica.model import Block, EditionText, LinkVariant, Revision, Story
from unn_ingest.replica.translit import slugify

DATA_DIR = Path(__file__).parent / "data"
KYIV = ZoneInfo("Europe/Kyiv")
EDITIONS = ("uk", "en", "ru")
_INHERITED = ("lead", "body", "author", "rubric", "tags")

Raw = dict[str, Any]


class StoryDataError(ValueError):
    """A hand-written story file is malformed."""


@lru_cache(maxsize=1)
def _parsed_files() -> tuple[Raw, ...]:
    """Read every story file once; later calls reuse the parsed dicts."""
    stories = []
    for path in sorted(DATA_DIR.glob("h*.toml")):
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
        if raw.get("id") != path.stem:
            raise StoryDataError(f"{path.name}: id must be {path.stem!r}")
        stories.append(raw)
    return tuple(stories)


def load_handwritten_raw() -> tuple[Raw, ...]:
    """Return the parsed story files as dicts, in id order (shared: do not mutate)."""
    return _parsed_files()


def explicit_link_variants() -> dict[str, LinkVariant]:
    """Return the link variant of each story whose file sets one, by story id."""
    return {
        raw["id"]: cast(LinkVariant, raw["link_variant"])
        for raw in _parsed_files()
        if "link_variant" in raw
    }


def load_handwritten(start: datetime) -> list[Story]:
    """Build every hand-written story with publish times relative to `start` (UTC aware)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    return list(_build_all(start.astimezone(KYIV).date()))


@lru_cache(maxsize=8)
def _build_all(start_day: date) -> tuple[Story, ...]:
    by_id = {raw["id"]: raw for raw in _parsed_files()}
    return tuple(_build_story(raw, by_id, start_day) for raw in by_id.values())


def _published_at(raw: Raw, start_day: date) -> datetime:
    hour, minute = (int(part) for part in str(raw["time"]).split(":"))
    local_day = start_day + timedelta(days=int(raw["day"]))
    return datetime.combine(local_day, time(hour, minute), tzinfo=KYIV).astimezone(UTC)


def image_path(story_id: str, published_at: datetime) -> str:
    """Return the story's lead image path, derived from its id and publish time."""
    folder = published_at.astimezone(KYIV).strftime("%Y/%m/%d")
    digits = 1000 + zlib.crc32(story_id.encode()) % 9000
    return f"/img/{folder}/{int(published_at.timestamp())}-{digits}-large.webp"


def _build_story(raw: Raw, by_id: dict[str, Raw], start_day: date) -> Story:
    published_at = _published_at(raw, start_day)
    original = by_id.get(raw.get("republication_of") or "")
    editions = {}
    for edition in EDITIONS:
        table = raw.get("editions", {}).get(edition)
        if table is not None:
            source = original["editions"].get(edition, {}) if original else {}
            merged = {key: source[key] for key in _INHERITED if key in source} | table
            editions[edition] = _build_edition(edition, merged, raw, published_at)
    if not editions:
        raise StoryDataError(f"{raw['id']}: no editions")
    return Story(
        story_id=raw["id"],
        published_at=published_at,
        rubric_key=raw["rubric_key"],
        image_path=image_path(raw["id"], published_at),
        editions=editions,
        link_variant=cast(LinkVariant, raw.get("link_variant", "switcher")),
        republication_of=raw.get("republication_of"),
        handwritten=True,
        exclusive=bool(raw.get("exclusive", False)),
        badges=tuple(raw.get("badges", ())),
    )


def _blocks(body: list[str]) -> tuple[Block, ...]:
    blocks = []
    for text in body:
        if text.startswith("## "):
            blocks.append(Block("h2", text[3:].strip()))
        elif text.startswith("> "):
            blocks.append(Block("quote", text[2:].strip()))
        else:
            blocks.append(Block("p", text.strip()))
    return tuple(blocks)


def _build_edition(edition: str, table: Raw, story: Raw, published_at: datetime) -> EditionText:
    try:
        title, lead, body = table["title"], table["lead"], table["body"]
        author, rubric = table["author"], table["rubric"]
    except KeyError as missing:
        raise StoryDataError(f"{story['id']}/{edition}: missing {missing}") from None
    delay = int(table.get("delay_minutes", 0))
    visible_from = published_at + timedelta(minutes=delay)
    revisions = _revisions(table, visible_from)
    return EditionText(
        edition=edition,
        slug=slugify(title, edition),
        title=title,
        lead=lead,
        blocks=_blocks(body),
        author=author,
        rubric=rubric,
        tags=tuple(table.get("tags", ())),
        language=table.get("language", ""),
        delay_minutes=delay,
        revisions=revisions,
        photo_credit=table.get("photo_credit", story.get("photo_credit")),
    )


def _apply_edits(text: str, edits: list[list[str]]) -> str:
    for current, earlier in edits:
        text = text.replace(current, earlier)
    return text


def _revisions(table: Raw, visible_from: datetime) -> tuple[Revision, ...]:
    revisions = []
    for rev in table.get("revisions", ()):
        edits = rev.get("edits", [])
        title = rev.get("title", _apply_edits(table["title"], edits))
        lead = rev.get("lead", _apply_edits(table["lead"], edits))
        body = rev.get("body", [_apply_edits(text, edits) for text in table["body"]])
        revisions.append(
            Revision(
                replaced_at=visible_from + timedelta(minutes=int(rev["replaced_after_minutes"])),
                title=title,
                lead=lead,
                blocks=_blocks(body),
            )
        )
    return tuple(revisions)
