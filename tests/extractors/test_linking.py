"""Story formation: explicit links first, never two editions of one language, order-free."""

from __future__ import annotations

import itertools
import random

import pytest

from unn_ingest.extractors.linking import LinkEdge, LinkNode, Member, form_stories, plan_stories

# Articles 1-3 are one story's uk/en/ru; 4-6 another's; 7 a lone uk article.
NODES = [
    LinkNode(1, "uk"),
    LinkNode(2, "en"),
    LinkNode(3, "ru"),
    LinkNode(4, "uk"),
    LinkNode(5, "en"),
    LinkNode(6, "ru"),
    LinkNode(7, "uk"),
]


def _groups(groups: list[tuple[Member, ...]]) -> set[frozenset[int]]:
    return {frozenset(m.article_id for m in group) for group in groups}


def _members(groups: list[tuple[Member, ...]]) -> dict[int, Member]:
    return {m.article_id: m for group in groups for m in group}


def test_explicit_links_join_editions_and_leave_singletons() -> None:
    edges = [LinkEdge(1, 2, "hreflang"), LinkEdge(2, 3, "switcher")]
    groups = form_stories(NODES, edges)
    assert _groups(groups) == {
        frozenset({1, 2, 3}),
        frozenset({4}),
        frozenset({5}),
        frozenset({6}),
        frozenset({7}),
    }
    assert _members(groups)[7] == Member(7, "none", None)


def test_member_records_the_strongest_edge_that_joined_it() -> None:
    edges = [
        LinkEdge(1, 3, "content", 0.97),
        LinkEdge(1, 2, "switcher"),
        LinkEdge(2, 3, "hreflang"),
    ]
    members = _members(form_stories(NODES[:3], edges))
    assert members[2].method == members[3].method == "hreflang"
    assert members[1] == Member(1, "switcher", 1.0)


@pytest.mark.parametrize(
    "edges",
    [
        pytest.param([LinkEdge(1, 2, "content", 0.9), LinkEdge(2, 4, "content", 0.8)], id="chain"),
        pytest.param([LinkEdge(1, 2, "hreflang"), LinkEdge(4, 2, "switcher")], id="explicit"),
        pytest.param([LinkEdge(1, 4, "content", 0.99)], id="direct"),
    ],
)
def test_never_two_articles_of_one_edition_in_a_story(edges: list[LinkEdge]) -> None:
    plan = plan_stories(NODES, edges)
    for group in plan.groups:
        editions = [NODES[m.article_id - 1].edition for m in group]
        assert len(editions) == len(set(editions))
    assert len(plan.dropped) == 1


def test_weaker_edge_is_the_one_dropped() -> None:
    edges = [LinkEdge(1, 2, "content", 0.80), LinkEdge(4, 2, "content", 0.95)]
    plan = plan_stories(NODES, edges)
    assert frozenset({4, 2}) in _groups(list(plan.groups))
    assert plan.dropped == (LinkEdge(1, 2, "content", 0.80),)


def test_explicit_link_outranks_a_better_scored_content_link() -> None:
    edges = [LinkEdge(1, 5, "content", 0.999), LinkEdge(4, 5, "switcher", 1.0)]
    groups = form_stories(NODES, edges)
    assert frozenset({4, 5}) in _groups(groups)
    assert frozenset({1}) in _groups(groups)


def test_content_link_contradicted_later_is_reformed_without_loss() -> None:
    content = [LinkEdge(1, 5, "content", 0.95), LinkEdge(1, 3, "content", 0.97)]
    before = form_stories(NODES, content)
    assert frozenset({1, 3, 5}) in _groups(before)
    # A later fetch of article 5 shows hreflang pointing at article 4 and article 6.
    later = [*content, LinkEdge(5, 4, "hreflang"), LinkEdge(5, 6, "hreflang")]
    after = form_stories(NODES, later)
    assert frozenset({4, 5, 6}) in _groups(after)
    assert frozenset({1, 3}) in _groups(after)
    ids = [m.article_id for group in after for m in group]
    assert sorted(ids) == [n.article_id for n in NODES]  # every article exactly once


def test_result_does_not_depend_on_input_order() -> None:
    edges = [
        LinkEdge(1, 2, "content", 0.9),
        LinkEdge(2, 4, "content", 0.9),  # ties on score: ids decide, not arrival order
        LinkEdge(3, 1, "content", 0.9),
        LinkEdge(4, 6, "switcher"),
        LinkEdge(5, 7, "content", 0.6),
        LinkEdge(6, 7, "content", 0.6),
    ]
    expected = plan_stories(NODES, edges)
    rng = random.Random(7)
    for _ in range(30):
        nodes, shuffled = NODES[:], edges[:]
        rng.shuffle(nodes)
        rng.shuffle(shuffled)
        flipped = [
            LinkEdge(e.b, e.a, e.method, e.score) if rng.random() < 0.5 else e for e in shuffled
        ]
        assert plan_stories(nodes, flipped).groups == expected.groups


def test_every_permutation_of_a_conflict_gives_one_answer() -> None:
    edges = [
        LinkEdge(1, 2, "content", 0.9),
        LinkEdge(4, 2, "content", 0.9),
        LinkEdge(7, 2, "content", 0.9),
    ]
    answers = {tuple(form_stories(NODES, list(p))) for p in itertools.permutations(edges)}
    assert len(answers) == 1


def test_edges_to_unknown_articles_and_self_loops_are_ignored() -> None:
    edges = [LinkEdge(1, 99, "hreflang"), LinkEdge(2, 2, "switcher")]
    groups = form_stories(NODES[:3], edges)
    assert _groups(groups) == {frozenset({1}), frozenset({2}), frozenset({3})}


def test_groups_list_members_uk_en_ru() -> None:
    groups = form_stories(NODES[:3], [LinkEdge(3, 2, "switcher"), LinkEdge(2, 1, "switcher")])
    assert [m.article_id for m in groups[0]] == [1, 2, 3]
