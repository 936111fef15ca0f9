"""Replica stories with real text: the NTREX-128 news documents and their uk/ru translations.

`shared/data/ntrex-128` holds 123 English news documents (WMT19, late September 2018) with
professional Ukrainian and Russian translations, one sentence a line (`DOCUMENT_IDS.tsv` names
each line's document; a document's first line is its headline). Each document becomes one
story with three editions: headline as title, second line as lead, the rest as paragraphs of
two sentences. The folder is read where it lies (callers pass `data_dir() / "ntrex-128"`); it
is never copied into the repository.

The schedule makes the linker's job hard on purpose:

- same-day stories on one topic: documents on one topic (the Sulawesi tsunami, Kavanaugh, the
  Ryder Cup...) are published one after another, `SLOT_MINUTES` apart, so every wrong
  candidate of the same topic is within minutes and shares names and numbers;
- reused stock images: the stories of one topic share one lead image;
- editions published hours apart: every third story's en and ru editions appear 1-4 hours
  after the uk one (`delay_minutes`);
- near-duplicates and corrections: every `REPUBLISH_EVERY`-th story is republished a day later
  under new slugs, and every `CORRECT_EVERY`-th story's uk edition was first published
  without its last paragraph (a correction, never a duplicate).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from unn_ingest.replica.generator import link_variant
from unn_ingest.replica.model import Block, EditionText, Revision, Story
from unn_ingest.replica.render_text import WORDS
from unn_ingest.replica.translit import slugify

__all__ = ["FOLDER", "NtrexDataError", "NtrexDocument", "load_ntrex", "ntrex_stories"]

FOLDER = "ntrex-128"
FILES = {
    "en": "newstest2019-src.eng.txt",
    "uk": "newstest2019-ref.ukr.txt",
    "ru": "newstest2019-ref.rus.txt",
}
KYIV = ZoneInfo("Europe/Kyiv")
FIRST_DAY = -3  # days before the catalogue start's Kyiv date: all of it is visible at start
DAY_HOURS = (8, 22)  # Kyiv hours a day's stories are spread over
DAYS = 2
SLOT_MINUTES = 12
REPUBLISH_EVERY = 15
CORRECT_EVERY = 10
DELAY_EVERY = 3
# Topics with several documents, by words of the English headline and lead, first match wins.
TOPICS = (
    ("tsunami", ("Indonesia", "Palu", "Sulawesi", "tsunami")),
    ("kavanaugh", ("Kavanaugh", "Ford", "FBI")),
    ("ryder-cup", ("Ryder",)),
    ("korea", ("Korea", "Kim")),
    ("rangers", ("Rangers", "Livingston")),
    ("brexit", ("Brexit", "Chequers", "Labour", "Tory", "May")),
    ("hurricane", ("Hurricane", "Rosa")),
    ("macedonia", ("Macedonia",)),
    ("palin", ("Palin",)),
    ("warren", ("Warren",)),
    ("syria", ("Syria",)),
    ("sims", ("Sims",)),
    ("china", ("China", "Beijing", "Chinese")),
    ("trump", ("Trump",)),
    ("kanye", ("Kanye",)),
    ("scotland", ("Scotland", "Scottish")),
)
AUTHORS = {"uk": "Редакція УНН", "en": "UNN editorial", "ru": "Редакция УНН"}


class NtrexDataError(ValueError):
    """The NTREX folder is missing or its files disagree."""


@dataclass(frozen=True, slots=True)
class NtrexDocument:
    """One NTREX document: its id and its lines in each language (headline first)."""

    doc_id: str
    lines: dict[str, tuple[str, ...]]

    @property
    def topic(self) -> str:
        """Return the document's topic key, or its own id when it shares none."""
        words = set(" ".join(self.lines["en"][:2]).replace("'s", "").split())
        for topic, keys in TOPICS:
            if words & set(keys):
                return topic
        return self.doc_id


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise NtrexDataError(f"NTREX file {path} is missing (see shared/docs/real-data.md)")
    return path.read_text(encoding="utf-8").splitlines()


@lru_cache(maxsize=2)
def load_ntrex(folder: Path) -> tuple[NtrexDocument, ...]:
    """Read the NTREX folder into documents, in file order."""
    ids = [line.split("\t")[0].strip() for line in _read_lines(folder / "DOCUMENT_IDS.tsv")]
    texts = {lang: _read_lines(folder / name) for lang, name in FILES.items()}
    if any(len(lines) != len(ids) for lines in texts.values()):
        raise NtrexDataError(f"{folder}: the files do not have one line per document id")
    grouped: dict[str, dict[str, list[str]]] = {}
    for n, doc_id in enumerate(ids):
        doc = grouped.setdefault(doc_id, {lang: [] for lang in FILES})
        for lang, lines in texts.items():
            doc[lang].append(lines[n].strip())
    return tuple(
        NtrexDocument(doc_id, {lang: tuple(lines) for lang, lines in doc.items()})
        for doc_id, doc in grouped.items()
    )


def ntrex_stories(folder: Path, start: datetime, seed: int = 1) -> list[Story]:
    """Build the NTREX stories (with republications) for a catalogue starting at `start`."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    documents = _grouped_by_topic(load_ntrex(folder))
    times = _schedule(len(documents), start)
    images = _topic_images(documents, times)
    stories = [
        _story(f"n{n:03d}", doc, when, images[doc.topic], seed, n)
        for n, (doc, when) in enumerate(zip(documents, times, strict=True), start=1)
    ]
    copies = [
        _republication(story, seed) for n, story in enumerate(stories) if n % REPUBLISH_EVERY == 7
    ]
    return [*stories, *copies]


def _grouped_by_topic(documents: Sequence[NtrexDocument]) -> list[NtrexDocument]:
    """Return the documents with each topic's kept together, topics in file order."""
    groups: dict[str, list[NtrexDocument]] = {}
    for doc in documents:
        groups.setdefault(doc.topic, []).append(doc)
    return [doc for group in groups.values() for doc in group]


def _schedule(count: int, start: datetime) -> list[datetime]:
    """Return `count` publish times, `SLOT_MINUTES` apart within each day's hours."""
    first_day = start.astimezone(KYIV).date() + timedelta(days=FIRST_DAY)
    per_day = (DAY_HOURS[1] - DAY_HOURS[0]) * 60 // SLOT_MINUTES
    times = []
    for n in range(count):
        day, slot = divmod(n, per_day)
        local = datetime.combine(first_day + timedelta(days=day % DAYS), time(DAY_HOURS[0]))
        local += timedelta(minutes=slot * SLOT_MINUTES + 3 * (day // DAYS))
        times.append(local.replace(tzinfo=KYIV).astimezone(UTC))
    return times


def _topic_images(documents: Sequence[NtrexDocument], times: Sequence[datetime]) -> dict[str, str]:
    """Return one lead image per topic: its stories reuse one stock photo."""
    images: dict[str, str] = {}
    for doc, when in zip(documents, times, strict=True):
        if doc.topic not in images:
            images[doc.topic] = _image_path(doc.topic, when)
    return images


def _image_path(key: str, when: datetime) -> str:
    folder = when.astimezone(KYIV).strftime("%Y/%m/%d")
    digits = 1000 + zlib.crc32(key.encode()) % 9000
    return f"/img/{folder}/{int(when.timestamp())}-{digits}-large.webp"


def _blocks(lines: Sequence[str]) -> tuple[Block, ...]:
    """Return body paragraphs of two sentences each."""
    return tuple(Block("p", " ".join(lines[i : i + 2])) for i in range(0, len(lines), 2))


def _edition(lang: str, lines: Sequence[str], delay: int) -> EditionText:
    return EditionText(
        edition=lang,
        slug=slugify(lines[0], lang),
        title=lines[0],
        lead=lines[1],
        blocks=_blocks(lines[2:]),
        author=AUTHORS[lang],
        rubric=dict(WORDS[lang].rubrics)["world"],
        delay_minutes=delay,
    )


def _delay(story_id: str, lang: str, n: int) -> int:
    if lang == "uk" or n % DELAY_EVERY:
        return 0
    return 60 + zlib.crc32(f"{story_id}:{lang}".encode()) % 180


def _story(
    story_id: str, doc: NtrexDocument, when: datetime, image: str, seed: int, n: int
) -> Story:
    editions = {lang: _edition(lang, doc.lines[lang], _delay(story_id, lang, n)) for lang in FILES}
    if n % CORRECT_EVERY == 4 and len(doc.lines["uk"]) > 4:
        editions["uk"] = _corrected(editions["uk"], doc.lines["uk"], when)
    ordered = {lang: editions[lang] for lang in ("uk", "en", "ru")}
    return Story(
        story_id=story_id,
        published_at=when,
        rubric_key="world",
        image_path=image,
        editions=ordered,
        link_variant=link_variant(seed, story_id),
    )


def _corrected(text: EditionText, lines: Sequence[str], when: datetime) -> EditionText:
    """Return the edition with a first text that lacked its last sentence."""
    shown = when + timedelta(minutes=text.delay_minutes)
    earlier = Revision(shown + timedelta(minutes=45), text.title, text.lead, _blocks(lines[2:-1]))
    return replace(text, revisions=(earlier,))


def _republication(original: Story, seed: int) -> Story:
    """Return the story published again a day later under new slugs and a new image."""
    story_id = f"{original.story_id}r"
    when = original.published_at + timedelta(days=1, minutes=37)
    editions = {
        lang: replace(text, slug=f"{text.slug}-{when:%m%d}", revisions=(), delay_minutes=0)
        for lang, text in original.editions.items()
    }
    return Story(
        story_id=story_id,
        published_at=when,
        rubric_key=original.rubric_key,
        image_path=_image_path(story_id, when),
        editions=editions,
        link_variant=link_variant(seed, story_id),
        republication_of=original.story_id,
    )
