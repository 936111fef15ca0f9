"""Applying the linker's story groups: merges keep the smaller id, splits, stable ids, cleanup."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.storage import StorageError, Store, StoryGroup, StoryMember

MakeInput = Callable[..., AnalysedArticle]


def _group(*ids: int, method: str = "hreflang", score: float | None = None) -> StoryGroup:
    return StoryGroup(tuple(StoryMember(i, method, score) for i in ids))


@pytest.fixture
def ids(store: Store, make_input: MakeInput) -> dict[str, int]:
    """Store four articles and return their ids by name."""
    names = [("uk", "a"), ("en", "b"), ("ru", "c"), ("uk", "d")]
    outcomes = store.upsert_articles([make_input(e, s) for e, s in names])
    return {slug: o.article_id for (_, slug), o in zip(names, outcomes, strict=True)}


def test_each_group_becomes_one_story(store: Store, ids: dict[str, int]) -> None:
    assigned = store.apply_story_groups([_group(ids["a"], ids["b"]), _group(ids["c"])])
    assert assigned[ids["a"]] == assigned[ids["b"]] != assigned[ids["c"]]
    assert store.counts()["stories"] == 2
    view = store.article(ids["a"])
    assert view is not None
    assert [s.article_id for s in view.siblings] == [ids["b"]]
    assert view.link_method == "hreflang"


def test_reapplying_keeps_story_ids(store: Store, ids: dict[str, int]) -> None:
    groups = [_group(ids["a"], ids["b"]), _group(ids["c"]), _group(ids["d"])]
    first = store.apply_story_groups(groups)
    second = store.apply_story_groups(list(reversed(groups)))
    assert first == second
    assert store.counts()["stories"] == 3


def test_merge_keeps_the_smaller_story_id(store: Store, ids: dict[str, int]) -> None:
    first = store.apply_story_groups([_group(ids["a"]), _group(ids["b"]), _group(ids["c"])])
    merged = store.apply_story_groups([_group(ids["c"], ids["b"], ids["a"], method="content")])
    smallest = min(first.values())
    assert set(merged.values()) == {smallest}
    assert store.counts()["stories"] == 1  # the emptied stories are deleted
    summaries = store.stories()
    assert [s.id for s in summaries] == [smallest]
    assert {e.link_method for e in summaries[0].editions} == {"content"}


def test_split_gives_the_old_id_to_the_first_group(store: Store, ids: dict[str, int]) -> None:
    [old] = set(store.apply_story_groups([_group(ids["a"], ids["b"], ids["c"])]).values())
    split = store.apply_story_groups([_group(ids["a"], ids["b"]), _group(ids["c"])])
    assert split[ids["a"]] == split[ids["b"]] == old
    assert split[ids["c"]] not in (old, None)
    assert store.counts()["stories"] == 2


def test_member_scores_are_stored(store: Store, ids: dict[str, int]) -> None:
    group = StoryGroup(
        (StoryMember(ids["a"], "none", None), StoryMember(ids["b"], "content", 0.91))
    )
    store.apply_story_groups([group])
    view = store.article(ids["b"])
    assert view is not None
    assert (view.link_method, view.link_score) == ("content", 0.91)


@pytest.mark.parametrize(
    "groups",
    [
        pytest.param(lambda i: [_group(i["a"]), _group(i["a"], i["b"])], id="article-twice"),
        pytest.param(lambda i: [_group(i["a"], 999_999)], id="unknown-article"),
    ],
)
def test_bad_groups_change_nothing(
    store: Store, ids: dict[str, int], groups: Callable[[dict[str, int]], list[StoryGroup]]
) -> None:
    with pytest.raises(StorageError, match="cannot"):
        store.apply_story_groups(groups(ids))
    assert store.counts()["stories"] == 0


def test_reapplying_writes_nothing(store: Store, ids: dict[str, int]) -> None:
    groups = [_group(ids["a"], ids["b"]), _group(ids["c"], ids["d"], method="content", score=0.7)]
    store.apply_story_groups(groups)
    before = [store.article(i) for i in ids.values()]
    listing = store.stories()
    store.apply_story_groups(groups)
    assert [store.article(i) for i in ids.values()] == before
    assert store.stories() == listing
