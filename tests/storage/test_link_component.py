"""The explicit-link graph: links in either direction, shared stories, not-yet-fetched targets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from unn_ingest.extractors.records import AnalysedArticle, EditionLink
from unn_ingest.storage import StorageError, Store, StoryGroup, StoryMember

MakeInput = Callable[..., AnalysedArticle]
URL = Callable[[str, str], str]


def test_component_follows_links_in_both_directions(store: Store, make_input: MakeInput) -> None:
    # uk links to en; ru links to uk: starting anywhere reaches all three.
    outcomes = store.upsert_articles(
        [
            make_input("uk", "a", links=(("en", "b", "hreflang"),)),
            make_input("en", "b"),
            make_input("ru", "c", links=(("uk", "a", "switcher"),)),
            make_input("uk", "unrelated"),
        ]
    )
    a, b, c, unrelated = (o.article_id for o in outcomes)
    for start in (a, b, c):
        graph = store.link_component([start])
        assert [n.article_id for n in graph.nodes] == sorted([a, b, c])
        assert {(e.a, e.b, e.method, e.score) for e in graph.edges} == {
            (a, b, "hreflang", 1.0),
            (c, a, "switcher", 1.0),
        }
    assert [n.article_id for n in store.link_component([unrelated]).nodes] == [unrelated]


def test_link_to_a_page_fetched_later(
    store: Store, make_input: MakeInput, article_url: URL
) -> None:
    [en] = store.upsert_articles([make_input("en", "b", links=(("uk", "a", "hreflang"),))])
    assert store.unlinked_urls([en.article_id]) == [("uk", article_url("uk", "a"))]
    assert [n.article_id for n in store.link_component([en.article_id]).nodes] == [en.article_id]
    [uk] = store.upsert_articles([make_input("uk", "a")])
    graph = store.link_component([uk.article_id])
    assert {n.article_id for n in graph.nodes} == {en.article_id, uk.article_id}
    assert store.unlinked_urls([en.article_id]) == []


def test_component_includes_story_members(store: Store, make_input: MakeInput) -> None:
    outcomes = store.upsert_articles(
        [make_input("uk", "a"), make_input("en", "b", links=(("ru", "c", "hreflang"),))]
    )
    [ru] = store.upsert_articles([make_input("ru", "c")])
    a, b = (o.article_id for o in outcomes)
    store.apply_story_groups(
        [StoryGroup((StoryMember(a, "content", 0.9), StoryMember(b, "content", 0.9)))]
    )
    graph = store.link_component([a])
    assert {n.article_id for n in graph.nodes} == {a, b, ru.article_id}
    by_id = {n.article_id: n for n in graph.nodes}
    assert by_id[a].story_id == by_id[b].story_id is not None
    assert by_id[ru.article_id].story_id is None
    assert (by_id[b].link_method, by_id[b].link_score) == ("content", 0.9)


def test_unlinked_urls_lists_each_missing_target_once(
    store: Store, make_input: MakeInput, article_url: URL
) -> None:
    links = (("en", "b", "hreflang"), ("en", "b", "switcher"), ("ru", "c", "switcher"))
    [uk] = store.upsert_articles([make_input("uk", "a", links=links)])
    assert store.unlinked_urls([uk.article_id]) == [
        ("en", article_url("en", "b")),
        ("ru", article_url("ru", "c")),
    ]
    assert store.unlinked_urls([]) == []


def test_links_added_separately(store: Store, make_input: MakeInput, article_url: URL) -> None:
    [uk] = store.upsert_articles([make_input("uk", "a")])
    link = EditionLink("en", article_url("en", "b"), "switcher")
    store.add_edition_links(uk.article_id, [link, link])
    assert store.unlinked_urls([uk.article_id]) == [("en", article_url("en", "b"))]
    with pytest.raises(StorageError, match="no article 999999"):
        store.add_edition_links(999_999, [link])
