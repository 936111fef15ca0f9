"""The hand-written stories: loader arithmetic, editorial form and every hard case."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from unn_ingest.replica.model import EditionText, Story
from unn_ingest.replica.stories import (
    explicit_link_variants,
    load_handwritten,
    load_handwritten_raw,
)

START = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)  # the catalogue's default start, 12:00 Kyiv
KYIV = ZoneInfo("Europe/Kyiv")
STORIES = load_handwritten(START)
BY_ID = {story.story_id: story for story in STORIES}
EDITIONS = [(s, e) for s in STORIES for e in s.editions.values()]
EDITION_IDS = [f"{s.story_id}-{e.edition}" for s, e in EDITIONS]

# The first body paragraph ends with the attribution, optionally followed by its source.
ATTRIBUTIONS = {
    "uk": re.compile(r", (передає|пише) УНН( з посиланням на [^.]+)?\.$"),
    "en": re.compile(r", (UNN reports|writes UNN)(, citing [^.]+)?\.$"),
    "ru": re.compile(r", (передает|сообщает) УНН( со ссылкой на [^.]+)?\.$"),
}
SUBHEADS = {
    "uk": {"Деталі", "Нагадаємо", "Доповнення"},
    "en": {"Details", "Recall", "Addendum"},
    "ru": {"Детали", "Подробности", "Напомним", "Дополнение"},
}
# Different stories on the same topic, same day and rubric, that a careless matcher would merge.
CONFUSABLE_PAIRS = [("h003", "h004"), ("h006", "h007"), ("h016", "h017")]
# Digits that may legitimately differ between editions of a story, by story id. Numbers written
# as words ("семеро", "seven") are not digits and so never compared; none is needed so far.
NUMBER_EXCEPTIONS: dict[str, set[str]] = {}


def _paragraphs(edition: EditionText) -> int:
    return sum(block.kind != "h2" for block in edition.blocks)


def _numbers(edition: EditionText) -> set[str]:
    text = " ".join([edition.title, edition.lead, *(b.text for b in edition.blocks)])
    return set(re.findall(r"\d+", text))


def test_there_are_at_least_30_stories() -> None:
    assert len(STORIES) >= 30


def test_edition_slugs_are_unique() -> None:
    keys = Counter((e.edition, e.slug) for _, e in EDITIONS)
    assert [key for key, count in keys.items() if count > 1] == []


@pytest.mark.parametrize(
    ("story_id", "expected"),
    [("h001", datetime(2025, 11, 17, 7, 40, tzinfo=UTC)), ("h012", START + timedelta(minutes=105))],
    ids=["three-days-back", "after-the-start"],
)
def test_published_at_is_kyiv_local_day_and_time(story_id: str, expected: datetime) -> None:
    assert BY_ID[story_id].published_at == expected


def test_summer_start_uses_summer_offset() -> None:
    summer = {s.story_id: s for s in load_handwritten(datetime(2025, 7, 1, 9, 0, tzinfo=UTC))}
    assert summer["h001"].published_at == datetime(2025, 6, 28, 6, 40, tzinfo=UTC)


def test_naive_start_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        load_handwritten(datetime(2025, 11, 20, 10, 0))


@pytest.mark.parametrize("story", STORIES, ids=[s.story_id for s in STORIES])
def test_image_path_matches_site_pattern(story: Story) -> None:
    folder = story.published_at.astimezone(KYIV).strftime("%Y/%m/%d")
    ts = int(story.published_at.timestamp())
    assert re.fullmatch(rf"/img/{folder}/{ts}-\d{{4}}-large\.webp", story.image_path)


def test_link_variant_defaults_to_switcher_and_explicit_ones_are_reported() -> None:
    explicit = explicit_link_variants()
    raw_ids = {raw["id"] for raw in load_handwritten_raw()}
    assert set(explicit) < raw_ids
    for story in STORIES:
        assert story.link_variant == explicit.get(story.story_id, "switcher")


@pytest.mark.parametrize(("story", "edition"), EDITIONS, ids=EDITION_IDS)
def test_edition_has_unn_form(story: Story, edition: EditionText) -> None:
    lang = edition.true_language
    first = next(b for b in edition.blocks if b.kind == "p")
    assert ATTRIBUTIONS[lang].search(first.text)
    foreign = set().union(*(heads for other, heads in SUBHEADS.items() if other != lang))
    assert not {b.text for b in edition.blocks if b.kind == "h2"} & (foreign - SUBHEADS[lang])
    assert 1 <= len(edition.tags) <= 3
    assert edition.author.isascii() == (edition.edition == "en")


@pytest.mark.parametrize("story", STORIES, ids=[s.story_id for s in STORIES])
def test_translations_share_structure_and_numbers(story: Story) -> None:
    shapes = {tuple(b.kind for b in e.blocks) for e in story.editions.values()}
    assert len(shapes) == 1
    allowed = NUMBER_EXCEPTIONS.get(story.story_id, set())
    numbers = [_numbers(e) - allowed for e in story.editions.values()]
    assert all(n == numbers[0] for n in numbers), numbers


def test_some_stories_miss_editions() -> None:
    sets = {tuple(sorted(s.editions)) for s in STORIES if len(s.editions) < 3}
    assert {("uk",), ("ru", "uk"), ("en", "uk")} <= sets


def test_translations_appear_later_than_originals() -> None:
    delays = [e.delay_minutes for _, e in EDITIONS]
    assert all(0 <= d <= 300 for d in delays)
    assert min(d for d in delays if d > 0) <= 10 and max(delays) >= 120
    assert all(s.editions["uk"].delay_minutes == 0 for s in STORIES)


@pytest.mark.parametrize(("first", "second"), CONFUSABLE_PAIRS, ids=lambda p: str(p))
def test_confusable_pairs_differ_in_facts(first: str, second: str) -> None:
    a, b = BY_ID[first], BY_ID[second]
    assert a.rubric_key == b.rubric_key
    assert a.published_at.astimezone(KYIV).date() == b.published_at.astimezone(KYIV).date()
    assert _numbers(a.editions["uk"]) != _numbers(b.editions["uk"])


def test_exactly_one_page_is_mislabelled() -> None:
    odd = [(s.story_id, e.edition, e.true_language) for s, e in EDITIONS if e.language]
    assert len(odd) == 1 and odd[0][1:] == ("en", "uk")


def test_corrections_keep_the_url_and_change_the_text() -> None:
    revised = [(s, e) for s, e in EDITIONS if e.revisions]
    assert len({s.story_id for s, _ in revised}) >= 2
    assert any(r.replaced_at > START for _, e in revised for r in e.revisions)
    for story, edition in revised:
        for rev in edition.revisions:
            assert rev.replaced_at > story.published_at
            assert (rev.title, rev.lead, rev.blocks) != (
                edition.title,
                edition.lead,
                edition.blocks,
            )


def test_republication_has_new_slugs_same_texts_a_day_later() -> None:
    repubs = [s for s in STORIES if s.republication_of]
    assert repubs
    for story in repubs:
        original = BY_ID[story.republication_of or ""]
        assert story.published_at - original.published_at >= timedelta(hours=20)
        for lang, edition in story.editions.items():
            assert edition.slug != original.editions[lang].slug
            assert edition.blocks == original.editions[lang].blocks


def test_a_long_uk_slug_has_a_short_en_slug() -> None:
    assert any(
        len(s.editions["uk"].slug) > 150 and len(s.editions["en"].slug) < 60
        for s in STORIES
        if "en" in s.editions
    )


def test_lengths_range_from_briefs_to_long_explainers() -> None:
    shortest = [_paragraphs(s.editions["uk"]) for s in STORIES]
    long_ones = [s for s in STORIES if min(_paragraphs(e) for e in s.editions.values()) >= 20]
    assert min(shortest) <= 3
    assert len([s for s in long_ones if len(s.editions) == 3]) >= 3


def test_some_stories_appear_only_after_the_start() -> None:
    later = [s for s in STORIES if s.published_at > START]
    assert 2 <= len(later) <= 3
    assert all(s.published_at.astimezone(KYIV).date() == START.date() for s in later)


def test_most_stories_fit_a_three_day_backfill() -> None:
    early = START - timedelta(days=3, hours=12)
    assert sum(s.published_at >= early for s in STORIES) >= 0.8 * len(STORIES)
