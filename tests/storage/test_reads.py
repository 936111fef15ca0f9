"""Reading back: story listings, single articles, linker windows, duplicates, counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.storage import StorageError, Store, StoryGroup, StoryMember

MakeInput = Callable[..., AnalysedArticle]
T0 = datetime(2025, 11, 19, 8, 0, tzinfo=UTC)


@pytest.fixture
def filled(store: Store, make_input: MakeInput) -> dict[str, int]:
    """Store three stories (uk+en at T0, ru at T0+1h, uk at T0+2h) and return ids by slug."""
    specs = [("uk", "a", 0), ("en", "b", 0), ("ru", "c", 1), ("uk", "d", 2)]
    items = [make_input(e, s, published_at=T0 + timedelta(hours=h)) for e, s, h in specs]
    outcomes = store.upsert_articles(items)
    ids = {s: o.article_id for (_, s, _), o in zip(specs, outcomes, strict=True)}
    store.apply_story_groups(
        [
            StoryGroup(
                (StoryMember(ids["b"], "switcher", None), StoryMember(ids["a"], "switcher", None))
            ),
            StoryGroup((StoryMember(ids["c"], "none", None),)),
            StoryGroup((StoryMember(ids["d"], "none", None),)),
        ]
    )
    return ids


def test_stories_newest_first_with_editions_in_order(store: Store, filled: dict[str, int]) -> None:
    summaries = store.stories()
    assert [[e.article_id for e in s.editions] for s in summaries] == [
        [filled["d"]],
        [filled["c"]],
        [filled["a"], filled["b"]],  # uk before en
    ]
    assert summaries[-1].published_at == T0
    assert summaries[-1].editions[1].title == "Title of b"
    assert summaries[-1].editions[1].link_method == "switcher"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({"limit": 1}, [["d"]], id="limit"),
        pytest.param({"limit": 5, "offset": 2}, [["a", "b"]], id="offset"),
        pytest.param({"edition": "en"}, [["a", "b"]], id="edition-en"),
        pytest.param({"edition": "uk"}, [["d"], ["a", "b"]], id="edition-uk"),
    ],
)
def test_story_listing_options(
    store: Store, filled: dict[str, int], kwargs: dict[str, object], expected: list[list[str]]
) -> None:
    slug = {v: k for k, v in filled.items()}
    summaries = store.stories(**kwargs)  # type: ignore[arg-type]
    assert [[slug[e.article_id] for e in s.editions] for s in summaries] == expected


def test_article_by_id_url_or_missing(
    store: Store, filled: dict[str, int], make_input: MakeInput
) -> None:
    by_id = store.article(filled["a"])
    by_text_id = store.article(str(filled["a"]))
    by_url = store.article(make_input("uk", "a").article.url)
    assert by_id is not None
    assert by_id == by_text_id == by_url
    assert [s.article_id for s in by_id.siblings] == [filled["b"]]
    assert store.article(999_999) is None
    assert store.article("http://127.0.0.1:8765/news/missing") is None


def test_articles_in_window(store: Store, filled: dict[str, int]) -> None:
    rows = store.articles_in_window(T0, T0 + timedelta(hours=1))
    assert [r.id for r in rows] == [*sorted([filled["a"], filled["b"]]), filled["c"]]
    only_ru = store.articles_in_window(T0, T0 + timedelta(hours=3), editions=["ru"])
    assert [r.id for r in only_ru] == [filled["c"]]
    row = rows[-1]
    assert (row.edition, row.title, row.minhash, row.link_method) == (
        "ru",
        "Title of c",
        b"\x01\x02\x03",
        "none",
    )
    assert row.body.startswith("Перший абзац.")


def test_mark_duplicate(store: Store, filled: dict[str, int]) -> None:
    store.mark_duplicate(filled["d"], filled["a"], 0.87)
    view = store.article(filled["d"])
    assert view is not None
    assert (view.duplicate_of_id, view.duplicate_score) == (filled["a"], 0.87)
    assert view.duplicate_of_url is not None and view.duplicate_of_url.endswith("/news/a")
    assert store.counts()["duplicates"] == 1
    [row] = [
        r for r in store.articles_in_window(T0, T0 + timedelta(hours=3)) if r.id == filled["d"]
    ]
    assert row.duplicate_of_id == filled["a"]


@pytest.mark.parametrize(("source", "target"), [("d", "d"), ("d", "missing")])
def test_bad_duplicate_marks(
    store: Store, filled: dict[str, int], source: str, target: str
) -> None:
    with pytest.raises(StorageError, match="duplicate"):
        store.mark_duplicate(filled[source], filled.get(target, 999_999), 0.9)
    assert store.counts()["duplicates"] == 0


def test_counts_and_known_urls(store: Store, filled: dict[str, int], make_input: MakeInput) -> None:
    assert store.counts() == {
        "stories": 3,
        "articles": {"en": 1, "ru": 1, "uk": 2},
        "revisions": 0,
        "duplicates": 0,
        "fetch_errors": 0,
    }
    assert store.link_method_counts() == {"none": 2, "switcher": 2}
    known = make_input("en", "b").article.url
    assert store.known_article_urls([known, "http://127.0.0.1:8765/news/zzz"]) == {known}
