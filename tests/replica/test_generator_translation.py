"""Generated editions are translations: same numbers, places and people; hard negatives exist."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from random import Random
from string import Formatter

import pytest
from langdetect import DetectorFactory, detect_langs

from unn_ingest.replica.generator import generate_stories
from unn_ingest.replica.generator_lang import LANGS
from unn_ingest.replica.generator_plan import KYIV, Planner
from unn_ingest.replica.generator_registry import ALL_TYPES
from unn_ingest.replica.generator_types import StoryType, render_edition
from unn_ingest.replica.generator_world import build_world
from unn_ingest.replica.model import EditionText, Story

START = datetime(2025, 11, 1, 0, 0, tzinfo=UTC)
_UK_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")
_EN_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def full_text(text: EditionText) -> str:
    """Return title, lead and body of an edition as one string."""
    return "\n".join([text.title, text.lead, *(block.text for block in text.blocks)])


def numbers(text: str, lang: str) -> list[str]:
    """Return a text's numbers, sorted, with thousands separators and decimal marks unified."""
    if lang == "en":
        text = _EN_THOUSANDS.sub("", text)
    else:
        text = _UK_THOUSANDS.sub("", text).replace(",", ".")
    return sorted(re.findall(r"\d+(?:\.\d+)?", text))


@pytest.fixture(scope="module")
def stories() -> list[Story]:
    return generate_stories(21, 1500, START, 7)


def test_every_edition_carries_the_same_numbers(stories: list[Story]) -> None:
    for story in stories:
        found = {lang: numbers(_opening(t), lang) for lang, t in story.editions.items()}
        assert len({tuple(v) for v in found.values()}) == 1, (story.story_id, found)
        uk = Counter(numbers(full_text(story.editions["uk"]), "uk"))
        for lang, text in story.editions.items():
            assert not Counter(numbers(full_text(text), lang)) - uk, (story.story_id, lang)


def test_some_translations_leave_a_paragraph_out(stories: list[Story]) -> None:
    shorter = [
        lang
        for story in stories
        for lang, text in story.editions.items()
        if len(text.blocks) < len(story.editions["uk"].blocks)
    ]
    assert 0 < len(shorter) < len(stories) * 0.15


def test_authors_are_one_person_in_three_scripts(stories: list[Story]) -> None:
    for story in stories:
        names = {lang: text.author for lang, text in story.editions.items()}
        assert all(len(name.split()) == 2 for name in names.values())
        if "en" in names:
            assert names["en"].isascii() and not names["uk"].isascii()
        if "ru" in names:
            assert not names["ru"].isascii()


def _opening(text: EditionText) -> str:
    return "\n".join([text.title, text.lead, text.blocks[0].text])


def _all_templates() -> list[tuple[str, tuple[str, str, str]]]:
    out = []
    for kind in ALL_TYPES:
        sections = (kind.titles, kind.leads, kind.firsts, kind.recalls, kind.sources, kind.tags)
        out += [(kind.key, tri) for section in sections for tri in section]
        out += [(kind.key, tri) for _, tri, _ in kind.details]
    return out


@pytest.mark.parametrize(
    ("key", "tri"), _all_templates(), ids=lambda v: v if isinstance(v, str) else v[1][:30]
)
def test_the_three_templates_use_the_same_facts(key: str, tri: tuple[str, str, str]) -> None:
    fields = [{name for _, name, _, _ in Formatter().parse(text) if name} for text in tri]
    assert fields[0] == fields[1] == fields[2], key


@pytest.mark.parametrize("kind", [k for k in ALL_TYPES if k.recall_of], ids=lambda kind: kind.key)
def test_follow_ups_recall_through_the_first_recall_template(kind: StoryType) -> None:
    wanted = {"r_day"} | {mine for mine, _ in kind.recall_of}
    for text in kind.recalls[0]:
        assert {name for _, name, _, _ in Formatter().parse(text) if name} == wanted


def test_every_fact_renders_in_every_language() -> None:
    planner = Planner(Random(4), build_world(4), ALL_TYPES)
    for minute in range(0, 600 * 60, 97):
        _, plan, _ = planner.next_plan(START.replace(hour=6) + timedelta(minutes=minute))
        for lang in LANGS:
            title, lead, blocks = render_edition(plan, lang)
            assert "{" not in title + lead + "".join(b.text for b in blocks)


def test_same_day_same_type_stories_with_different_facts_exist(stories: list[Story]) -> None:
    groups: dict[tuple[object, ...], list[Story]] = defaultdict(list)
    for story in stories:
        uk = story.editions["uk"]
        family = tuple(uk.title.split()[:2])  # the title template's opening words
        day = story.published_at.astimezone(KYIV).date()
        groups[(story.rubric_key, day, uk.tags[:1], family)].append(story)
    pairs = 0
    for group in groups.values():
        originals = [s for s in group if s.republication_of is None]
        facts = {tuple(numbers(full_text(s.editions["uk"]), "uk")) for s in originals}
        pairs += len(originals) - 1 if len(facts) == len(originals) else 0
    assert pairs >= len(stories) * 0.15


def test_same_minute_hard_negatives_exist(stories: list[Story]) -> None:
    by_minute: dict[tuple[object, ...], int] = defaultdict(int)
    for story in stories:
        by_minute[(story.published_at, story.rubric_key, story.editions["uk"].tags[:1])] += 1
    assert any(count > 1 for count in by_minute.values())


def test_each_edition_is_detected_as_its_language(stories: list[Story]) -> None:
    DetectorFactory.seed = 0
    editions = [t for s in stories for t in s.editions.values()]
    picked = Random(0).sample(editions, 200)
    wrong = []
    for text in picked:
        best = max((lang for lang in detect_langs(full_text(text))), key=lambda x: x.prob)
        if best.lang != text.edition:
            wrong.append((text.edition, best.lang, text.title))
    assert not wrong
