"""The export streams: documented fields, ISO UTC times, Kyiv-date and edition filters, the
wide story form, typed Parquet files and the readme's DuckDB query over them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from unn_ingest.extractors.records import AnalysedArticle, ImageRef, Section
from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.storage import (
    EXPORT_FIELDS,
    Store,
    StoryGroup,
    StoryMember,
    story_columns,
)

from .conftest import url_of

MakeInput = Callable[..., AnalysedArticle]
DOCUMENTED = [
    "id", "story_id", "edition", "url", "slug", "title", "lead", "body", "authors", "rubric",
    "rubric_key", "tags", "image_url", "image_caption", "image_credit", "images", "sections",
    "word_count", "published_at", "modified_at", "lang_detected", "lang_confidence",
    "lang_mismatch", "link_method", "link_score", "content_hash", "revisions", "duplicate_of",
    "first_seen_at", "fetched_at", "removed_at", "moved_from", "profile_version",
]  # fmt: skip
runner = CliRunner()
_register_subcommands()
# Kyiv is UTC+2 in November: 22:00 UTC on the 18th is already the 19th in Kyiv.
TIMES = {
    "before": datetime(2025, 11, 18, 21, 59, tzinfo=UTC),  # 18 Nov 23:59 Kyiv
    "first": datetime(2025, 11, 18, 22, 0, tzinfo=UTC),  # 19 Nov 00:00 Kyiv
    "last": datetime(2025, 11, 19, 21, 59, 59, tzinfo=UTC),  # 19 Nov 23:59:59 Kyiv
    "after": datetime(2025, 11, 19, 22, 0, tzinfo=UTC),  # 20 Nov 00:00 Kyiv
}

KYIV = ZoneInfo("Europe/Kyiv")  # the site profile's time zone


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
    assert first["first_seen_at"] == "2025-11-19T09:00:00Z"
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
    found = exported.iter_export(date_from, date_to, zone=KYIV)
    assert [r["slug"] for r in found] == expected


def test_a_date_range_without_the_sites_time_zone_is_refused(exported: Store) -> None:
    with pytest.raises(ValueError, match="time zone"):
        list(exported.iter_export(date(2025, 11, 19), None))


def test_export_is_a_lazy_stream(exported: Store) -> None:
    stream = exported.iter_export()
    assert next(stream)["slug"] == "before"
    stream.close()  # releases its connection
    assert exported.counts()["articles"] == {"uk": 4}


def test_edition_filter(exported: Store, make_input: MakeInput) -> None:
    exported.upsert_articles([make_input("en", "first-en", published_at=TIMES["first"])])
    assert [r["slug"] for r in exported.iter_export(editions=["en"])] == ["first-en"]
    assert len(list(exported.iter_export(editions=["uk", "en"]))) == 5
    assert list(exported.iter_export(editions=["ru"])) == []


@pytest.fixture
def three_stories(store: Store, make_input: MakeInput) -> dict[str, int]:
    """Story A: uk+en+ru (ru after Kyiv midnight); story B: uk only; one unlinked en article."""
    at = TIMES["first"]
    items = [
        make_input("uk", "a-uk", published_at=at),
        make_input("en", "a-en", published_at=TIMES["last"]),
        make_input("ru", "a-ru", published_at=TIMES["after"]),
        make_input("uk", "b-uk", published_at=TIMES["before"]),
        make_input("en", "loose", published_at=TIMES["last"]),
    ]
    outcomes = store.upsert_articles(items)
    ids = {i.article.slug: o.article_id for i, o in zip(items, outcomes, strict=True)}
    story_a = (
        StoryMember(ids["a-uk"], "hreflang", None),
        StoryMember(ids["a-en"], "hreflang", None),
        StoryMember(ids["a-ru"], "content", 0.91),
    )
    groups = [StoryGroup(story_a), StoryGroup((StoryMember(ids["b-uk"], "none", None),))]
    stories = store.apply_story_groups(groups)
    return {"a": stories[ids["a-uk"]], "b": stories[ids["b-uk"]]}


def test_story_export_is_wide_one_row_per_story(
    store: Store, three_stories: dict[str, int]
) -> None:
    rows = list(store.iter_story_export())
    assert [r["story_id"] for r in rows] == [three_stories["b"], three_stories["a"], None]
    assert [list(r) for r in rows] == [[n for n, _ in story_columns()]] * 3
    b, a, loose = rows
    assert a["editions"] == ["uk", "en", "ru"] and a["published_at"] == "2025-11-18T22:00:00Z"
    assert (a["uk_url"], a["en_title"]) == (url_of("uk", "a-uk"), "Title of a-en")
    assert (a["ru_link_method"], a["ru_link_score"]) == ("content", 0.91)
    assert a["ru_published_at"] == "2025-11-19T22:00:00Z"
    assert b["editions"] == ["uk"] and b["en_url"] is None and b["ru_title"] is None
    assert loose["editions"] == ["en"] and loose["en_url"] == url_of("en", "loose")
    json.dumps(rows)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({"date_from": date(2025, 11, 19)}, ["a", None], id="by-first-edition-date"),
        pytest.param({"date_to": date(2025, 11, 18)}, ["b"], id="open-start"),
        pytest.param({"editions": ["ru"]}, ["a"], id="one-edition"),
        pytest.param({"editions": ["en"], "date_to": date(2025, 11, 19)}, ["a", None], id="en"),
    ],
)
def test_story_export_filters(
    store: Store, three_stories: dict[str, int], options: dict[str, Any], expected: list[Any]
) -> None:
    rows = list(store.iter_story_export(**options, zone=KYIV))
    assert [r["story_id"] for r in rows] == [three_stories.get(k) for k in expected]
    editions = options.get("editions", ["uk", "en", "ru"])
    assert all(list(r) == [n for n, _ in story_columns(editions)] for r in rows)


# The query the readme shows analysts (keep the two identical).
DUCKDB_QUERY = """
SELECT published_at::DATE AS day, count(*) AS stories, count(en_url) AS in_english
FROM 'stories.parquet' WHERE len(editions) > 0
GROUP BY day ORDER BY day
"""


def test_parquet_exports_have_typed_columns_and_answer_the_readme_query(
    store: Store,
    three_stories: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    monkeypatch.chdir(tmp_path)
    db = store.url.render_as_string(hide_password=False)
    for table in ("articles", "stories"):
        args = ["export", "--format", "parquet", "--table", table, "--out", f"{table}.parquet"]
        result = runner.invoke(app, [*args, "--db", db])
        assert result.exit_code == 0, result.output
    articles = pq.read_table("articles.parquet")
    assert articles.column_names == list(EXPORT_FIELDS) and articles.num_rows == 5
    assert articles.schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    stories = pq.read_table("stories.parquet")
    assert stories.num_rows == 3 and stories.schema.field("editions").type == pa.list_(pa.string())
    relation = duckdb.sql(DUCKDB_QUERY)
    assert relation is not None
    found = relation.fetchall()
    assert [(str(day), n, en) for day, n, en in found] == [
        ("2025-11-18", 2, 1),  # UTC days: story B, story A (first edition 22:00 UTC)
        ("2025-11-19", 1, 1),  # the unlinked en article
    ]
    jsonl = runner.invoke(app, ["export", "--table", "stories", "-e", "uk", "--db", db])
    assert [json.loads(line)["editions"] for line in jsonl.stdout.splitlines()] == [["uk"]] * 2


def test_page_fields_reach_the_article_and_story_exports(
    store: Store, make_input: MakeInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    image = ImageRef("https://x/img/lead.webp", "The caption", "Credit")
    body_image = ImageRef("https://x/img/body.webp", "Chart", "")
    sections = (Section("", ("Перший абзац.",)), Section("Деталі", ("Другий абзац.",)))
    modified = TIMES["last"]
    item = make_input(
        "uk", "fields", rubric_key="/politics", image=image, images=(body_image,),
        sections=sections, modified_at=modified, profile_version="v2",
    )  # fmt: skip
    (outcome,) = store.upsert_articles([item])
    (record,) = store.iter_export()
    assert record["id"] == outcome.article_id
    assert (record["rubric"], record["rubric_key"]) == ("Politics", "/politics")
    assert (record["image_caption"], record["image_credit"]) == ("The caption", "Credit")
    assert record["images"] == [
        {"url": "https://x/img/body.webp", "caption": "Chart", "credit": ""}
    ]
    assert record["sections"][1] == {"subhead": "Деталі", "paragraphs": ["Другий абзац."]}
    assert record["modified_at"] == "2025-11-19T21:59:59Z"
    assert record["first_seen_at"] == record["fetched_at"] == "2025-11-19T09:00:00Z"
    assert (record["word_count"], record["profile_version"]) == (item.word_count, "v2")
    (story,) = store.iter_story_export()
    assert (story["rubric_key"], story["image_url"]) == ("/politics", item.article.image_url)
    assert (story["uk_authors"], story["uk_rubric"]) == (["Author Name"], "Politics")
    monkeypatch.chdir(tmp_path)
    db = store.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["export", "--format", "parquet", "--out", "a.parquet", "--db", db])
    assert result.exit_code == 0, result.output
    (row,) = pq.read_table("a.parquet").to_pylist()
    assert row["sections"] == record["sections"] and row["images"] == record["images"]
