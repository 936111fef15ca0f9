"""Story formation: turn the links between articles into groups, one group per story.

A connected component of articles (joined by explicit or content links) is re-formed from
scratch every time one of its links changes, so the result never depends on the order in which
pages arrived. The rules:

- never two articles of the same edition in one story: edges are applied strongest first
  (hreflang > switcher > content, then by descending score) and an edge that would join two
  articles of one edition is dropped and reported in `StoryPlan.dropped`;
- explicit links outrank content links: a content-linked article whose explicit link shows
  another partner simply ends with that partner, because the explicit edge is applied first;
- every article ends in exactly one group (singletons with method "none");
- each member records the method and score of the strongest edge that joined it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

__all__ = [
    "METHOD_RANK",
    "LinkEdge",
    "LinkNode",
    "Member",
    "StoryPlan",
    "form_stories",
    "plan_stories",
]

# Lower is stronger; "none" marks an article that joined no one.
METHOD_RANK = {"hreflang": 0, "switcher": 1, "content": 2}
_EDITION_ORDER = {"uk": 0, "en": 1, "ru": 2}


@dataclass(frozen=True, slots=True)
class LinkNode:
    """One article of a component: its id, edition, publish time, current story and how it
    joined that story (the stored member's method and score)."""

    article_id: int
    edition: str
    published_at: datetime | None = None
    story_id: int | None = None
    link_method: str = "none"  # "hreflang", "switcher", "content" or "none"
    link_score: float | None = None


@dataclass(frozen=True, slots=True)
class LinkEdge:
    """A claim that two articles are editions of one story, with how it was found.

    An explicit link (hreflang, switcher) scores 1.0. Story formation ignores direction; the
    store's explicit links point from `a`, the page that carries the link, to `b`.
    """

    a: int
    b: int
    method: str  # "hreflang", "switcher" or "content"
    score: float = 1.0

    def key(self) -> tuple[int, float, int, int]:
        """Return the order edges are applied in: strongest method, best score, then ids."""
        a, b = self.a, self.b
        rank = METHOD_RANK.get(self.method, len(METHOD_RANK))
        return (rank, -self.score, a, b) if a <= b else (rank, -self.score, b, a)


class Member(NamedTuple):
    """One article of a story and how it joined (storage's StoryMember shape)."""

    article_id: int
    method: str  # "hreflang", "switcher", "content" or "none"
    score: float | None


@dataclass(frozen=True, slots=True)
class StoryPlan:
    """The groups a component forms, and the edges dropped for breaking the rules."""

    groups: tuple[tuple[Member, ...], ...]
    dropped: tuple[LinkEdge, ...] = ()


class _Groups:
    """Union-find over article ids that keeps each group's set of editions."""

    def __init__(self, nodes: Iterable[LinkNode]) -> None:
        self.parent = {node.article_id: node.article_id for node in nodes}
        self.editions = {node.article_id: {node.edition} for node in nodes}

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def join(self, a: int, b: int) -> bool:
        """Merge the groups of `a` and `b`; refuse (False) when they share an edition."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return True
        if self.editions[root_a] & self.editions[root_b]:
            return False
        low, high = sorted((root_a, root_b))
        self.parent[high] = low
        self.editions[low] |= self.editions.pop(high)
        return True


def plan_stories(nodes: Iterable[LinkNode], edges: Iterable[LinkEdge]) -> StoryPlan:
    """Form the stories of a component from its nodes and edges, reporting dropped edges."""
    by_id = {node.article_id: node for node in nodes}
    groups = _Groups(by_id.values())
    joined: dict[int, tuple[str, float]] = {}
    dropped: list[LinkEdge] = []
    usable = (e for e in edges if e.a in by_id and e.b in by_id and e.a != e.b)
    for edge in sorted(set(usable), key=LinkEdge.key):
        if not groups.join(edge.a, edge.b):
            dropped.append(edge)
            continue
        for article_id in (edge.a, edge.b):
            joined.setdefault(article_id, (edge.method, edge.score))
    return StoryPlan(_collect(by_id, groups, joined), tuple(dropped))


def _collect(
    by_id: dict[int, LinkNode], groups: _Groups, joined: dict[int, tuple[str, float]]
) -> tuple[tuple[Member, ...], ...]:
    """Return the groups as members in a stable order: by edition, groups by first id."""
    members: dict[int, list[Member]] = {}
    for article_id in sorted(by_id):
        method, score = joined.get(article_id, ("none", None))
        member = Member(article_id, method, score)
        members.setdefault(groups.find(article_id), []).append(member)
    ordered = []
    for root in sorted(members):
        group = members[root]
        group.sort(key=lambda m: (_EDITION_ORDER.get(by_id[m.article_id].edition, 9), m[0]))
        ordered.append(tuple(group))
    return tuple(ordered)


def form_stories(nodes: Iterable[LinkNode], edges: Iterable[LinkEdge]) -> list[tuple[Member, ...]]:
    """Return the story groups of a component: each a tuple of (article_id, method, score)."""
    return list(plan_stories(nodes, edges).groups)
