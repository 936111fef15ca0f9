"""The export stream: exactly the documented fields, ISO UTC times, Kyiv-date bounds."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from unn_ingest.storage import EXPORT_FIELDS, ArticleInput, Store, StoryGroup, StoryMember

MakeInput = Callable[..., ArticleInput]
DOCUMENTED = [
    "story_id", "edition", "url", "slug", "title", "lead", "body", "authors", "rubric", "tags",
    "image_url", "published_at", "lang_detected", "lang_confidence", "lang_mismatch",
    "link_method", "link_score", "content_hash", "revisions", "duplicate_of", "fetched_at",
]  # fmt: skip
# Kyiv is UTC+2 in November: 22:00 UTC on the 18th is already the 19th in Kyiv.
TIMES = {
    "before": datetime(2025, 11, 18, 21, 59, tzinfo=UTC),  # 18 Nov 23:59 Kyiv
    "first": datetime(2025, 11, 18, 22, 0, tzinfo=UTC),  # 19 Nov 00:00 Kyiv
    "last": datetime(2025, 11, 19, 21, 59, 59, tzinfo=UTC),  # 19 Nov 23:59:59 Kyiv
    "after": datetime(2025, 11, 19, 22, 0, tzinfo=UTC),  # 20 Nov 00:00 Kyiv
}


@pytest.fixture
def exported(store: Store, make_input: MakeInput) -> Store:
    """Store one article per time above, plus a story, a revision and a duplicate."""
    items = [make_input("uk", name, published_at=at) for name, at in TIMES.items()]
    outcomes = store.upsert_articles(items)
    ids = {name: o.article_id for name, o in zip(TIMES, outcomes, strict=True)}
    store.upsert_articles([make_input("uk", "first", published_at=TIMES["first"], body="v2")])
    store.mark_duplicate(ids["last"], ids["first"], 0.93)
    members = (
        StoryMember(ids["first"], "hreflang", None),
        StoryMember(ids["after"], "content", 0.8),
    )
    store.apply_story_groups([StoryGroup(members)])
    return store


def test_records_have_exactly_the_documented_fields(exported: Store) -> None:
    records = list(exported.iter_export())
    assert list(EXPORT_FIELDS) == DOCUMENTED
    assert [list(r) for r in records] == [DOCUMENTED] * 4
    json.dumps(records)  # plain JSON types only


def test_record_values(exported: Store, make_input: MakeInput) -> None:
    by_slug = {r["slug"]: r for r in exported.iter_export()}
    first = by_slug["first"]
    source = make_input("uk", "first", body="v2").article
    assert first["published_at"] == "2025-11-18T22:00:00Z"
    assert first["fetched_at"] == "2025-11-19T09:00:00Z"
    assert (first["title"], first["body"], first["url"]) == (source.title, source.body, source.url)
    assert (first["authors"], first["tags"]) == (list(source.authors), list(source.tags))
    assert first["revisions"] == 1
    assert (first["link_method"], first["link_score"]) == ("hreflang", None)
    assert by_slug["after"]["story_id"] == first["story_id"] is not None
    assert by_slug["after"]["link_score"] == 0.8
    assert by_slug["last"]["duplicate_of"] == source.url
    assert (by_slug["before"]["story_id"], by_slug["before"]["link_method"]) == (None, "none")
    assert by_slug["before"]["lang_mismatch"] is False


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        pytest.param(date(2025, 11, 19), date(2025, 11, 19), ["first", "last"], id="one-kyiv-day"),
        pytest.param(date(2025, 11, 20), None, ["after"], id="open-end"),
        pytest.param(None, date(2025, 11, 18), ["before"], id="open-start"),
        pytest.param(None, None, ["before", "first", "last", "after"], id="everything"),
        pytest.param(date(2025, 11, 21), date(2025, 11, 23), [], id="empty"),
    ],
)
def test_kyiv_date_bounds(
    exported: Store, date_from: date | None, date_to: date | None, expected: list[str]
) -> None:
    assert [r["slug"] for r in exported.iter_export(date_from, date_to)] == expected


def test_export_is_a_lazy_stream(exported: Store) -> None:
    stream = exported.iter_export()
    assert next(stream)["slug"] == "before"
    stream.close()  # releases its connection
    assert exported.counts()["articles"] == {"uk": 4}
