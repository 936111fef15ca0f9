"""Content-based edition matching on the replica's hand-written stories (no explicit links)."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

import pytest

from unn_ingest.config import load_profile
from unn_ingest.extractors.linking import LinkEdge
from unn_ingest.extractors.matching import ArticleFeatures, article_features, match_editions
from unn_ingest.extractors.matching_features import name_keys
from unn_ingest.extractors.matching_numbers import number_keys
from unn_ingest.replica.model import Story
from unn_ingest.replica.stories.loader import load_handwritten

START = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
FURNITURE = load_profile().furniture()


@pytest.fixture(scope="module")
def stories() -> list[Story]:
    return [s for s in load_handwritten(START) if not s.republication_of]


@pytest.fixture(scope="module")
def corpus(stories: list[Story]) -> tuple[list[ArticleFeatures], dict[int, str]]:
    """Return every edition's features (without the lead image) and its true story."""
    features: list[ArticleFeatures] = []
    truth: dict[int, str] = {}
    for story in stories:
        for edition, text in story.editions.items():
            article_id = len(features) + 1
            paragraphs = [b.text for b in text.blocks]
            features.append(
                article_features(
                    article_id,
                    edition,
                    story.published_at,
                    text.title,
                    text.lead,
                    paragraphs,
                    furniture=FURNITURE,
                )
            )
            truth[article_id] = story.story_id
    return features, truth


def _true_pairs(features: list[ArticleFeatures], truth: dict[int, str]) -> set[tuple[int, int]]:
    return {
        (a.article_id, b.article_id)
        for a in features
        for b in features
        if a.article_id < b.article_id and truth[a.article_id] == truth[b.article_id]
    }


def _pairs(edges: list[LinkEdge]) -> set[tuple[int, int]]:
    return {(e.a, e.b) for e in edges}


@pytest.mark.parametrize(
    ("uk", "en"),
    [
        pytest.param("9,5 млрд гривень", "UAH 9.5 billion", id="billions"),
        pytest.param("12 500 осіб", "12,500 people", id="thousands-separator"),
        pytest.param("41,32 грн", "UAH 41.32", id="decimal-comma"),
        pytest.param("5 тис. доларів", "$5 thousand", id="thousand-word"),
        pytest.param("до 15 листопада", "until November 15", id="date"),
        pytest.param("№14026", "No. 14026", id="bill-number"),
    ],
)
def test_numbers_are_normalised_across_languages(uk: str, en: str) -> None:
    assert number_keys(uk) == number_keys(en) != frozenset()


def test_dates_agree_in_all_three_languages() -> None:
    keys = {number_keys(text) for text in ("5 лютого", "February 5", "5 февраля")}
    assert keys == {frozenset({"5", "d2.5"})}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Про це заявив президент Зеленський.", id="uk"),
        pytest.param("Об этом заявил президент Зеленский.", id="ru"),
        pytest.param("This was stated by President Zelensky.", id="en"),
        pytest.param("Це слова Зеленського.", id="uk-genitive"),
    ],
)
def test_names_meet_across_scripts_and_case_endings(text: str) -> None:
    assert "slns" in name_keys(text)  # "z" folds to "s", as "Blasey" / "Блейзі"


@pytest.mark.parametrize(
    ("english", "cyrillic", "keys"),
    [
        pytest.param("judge Kavanaugh", "суддя Кавано", {"kvn"}, id="silent-gh"),
        pytest.param("Christine Blasey", "Крістін Блейзі", {"krst", "bls"}, id="chr-z"),
        pytest.param("the Democrats", "Демократи", {"dmkr"}, id="c-as-k"),
        pytest.param("Theresa May", "Тереза Мей", {"trs"}, id="th"),
    ],
)
def test_english_spellings_of_names_meet_their_transliteration(
    english: str, cyrillic: str, keys: set[str]
) -> None:
    assert keys <= name_keys(f"Said {english}.") & name_keys(f"Сказав {cyrillic}.")


def test_handwritten_editions_are_linked_by_content_alone(
    corpus: tuple[list[ArticleFeatures], dict[int, str]],
) -> None:
    features, truth = corpus
    found = _pairs(match_editions(features, features))
    expected = _true_pairs(features, truth)
    assert found <= expected, "a content link joined two different stories"
    # Each story must be connected (a chain uk-en, uk-ru is enough).
    for story_id in set(truth.values()):
        ids = {i for i, s in truth.items() if s == story_id}
        reached = {min(ids)}
        for _ in ids:
            reached |= {b for a, b in found if a in reached} | {a for a, b in found if b in reached}
        assert reached == ids, f"story {story_id} was not joined"


def test_same_topic_same_minute_stories_are_not_merged(
    corpus: tuple[list[ArticleFeatures], dict[int, str]],
) -> None:
    features, truth = corpus
    # Put every story at the same minute: only the content can tell them apart now.
    same_time = [dataclasses.replace(f, published_at=START) for f in features]
    found = _pairs(match_editions(same_time, same_time))
    assert found <= _true_pairs(features, truth)


def test_an_edition_arriving_a_day_late_still_finds_its_story(
    corpus: tuple[list[ArticleFeatures], dict[int, str]],
) -> None:
    features, truth = corpus
    late = [f for f in features if f.edition == "en"]
    stored = [f for f in features if f.edition != "en"]
    # The uk and ru editions were linked a day earlier; en arrives now with the original time.
    taken = {f.article_id: {"uk", "ru"} - {f.edition} for f in stored}
    edges = match_editions(late, stored, taken)
    for item in late:
        partners = {
            e.a if e.b == item.article_id else e.b for e in edges if item.article_id in (e.a, e.b)
        }
        same_story = {f.article_id for f in stored if truth[f.article_id] == truth[item.article_id]}
        assert partners == same_story, f"late en edition of {truth[item.article_id]}"


def test_a_taken_edition_is_not_linked_twice(
    corpus: tuple[list[ArticleFeatures], dict[int, str]],
) -> None:
    features, _ = corpus
    late = [f for f in features if f.edition == "en"]
    stored = [f for f in features if f.edition != "en"]
    taken = {f.article_id: {"en"} for f in stored}  # every story already has an en edition
    assert match_editions(late, stored, taken) == []


def test_two_equally_good_candidates_give_no_link(
    corpus: tuple[list[ArticleFeatures], dict[int, str]],
) -> None:
    features, _ = corpus
    uk = next(f for f in features if f.edition == "uk")
    en = [f for f in features if f.edition == "en"]
    twin = dataclasses.replace(en[0], article_id=10_000)
    edges = match_editions([uk], [*features, twin])
    assert _pairs(match_editions([uk], features)) >= {(uk.article_id, en[0].article_id)}
    assert not [e for e in edges if {e.a, e.b} & {en[0].article_id, twin.article_id}]


def test_result_does_not_depend_on_input_order(
    corpus: tuple[list[ArticleFeatures], dict[int, str]],
) -> None:
    features, _ = corpus
    expected = match_editions(features, features)
    shuffled = features[:]
    random.Random(3).shuffle(shuffled)
    assert match_editions(shuffled, list(reversed(shuffled))) == expected


def test_articles_outside_the_window_are_not_candidates(
    corpus: tuple[list[ArticleFeatures], dict[int, str]],
) -> None:
    features, _ = corpus
    uk = next(f for f in features if f.edition == "uk")
    moved = [
        dataclasses.replace(f, published_at=f.published_at + timedelta(days=2))
        for f in features
        if f.edition != "uk" and f.published_at
    ]
    assert match_editions([uk], moved) == []
