"""Story membership: the explicit-link graph around articles and applying the linker's groups."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, exists, select, update
from sqlalchemy.orm import aliased

from unn_ingest.extractors import clock
from unn_ingest.extractors.linking import LinkEdge, LinkNode
from unn_ingest.storage.errors import StorageError
from unn_ingest.storage.models import Article, EditionLinkEntry, Story
from unn_ingest.storage.records import StoryGroup
from unn_ingest.storage.rows import LinkGraph
from unn_ingest.storage.sql import chunked, insert, lock_rows, sorted_ids

# An article's story, link method and link score.
Membership = tuple[int | None, str, float | None]
# The article a link comes from, beside the one it points to. Made once: the first use of an
# alias's attribute builds its column proxies, 1.4 ms of CPU (made per query, that was most
# of the explicit linking of a batch).
_SOURCE = aliased(Article)


def link_component(conn: Connection, article_ids: Iterable[int]) -> LinkGraph:
    """Return every article reachable through explicit links (either way) or a shared story."""
    seen: set[int] = set()
    frontier = set(article_ids)
    while frontier:
        seen |= frontier
        frontier = _neighbours(conn, frontier) - seen
    nodes = _nodes(conn, seen)
    return LinkGraph(nodes=nodes, edges=_edges(conn, seen))


def unlinked_urls(conn: Connection, article_ids: Iterable[int]) -> list[tuple[str, str]]:
    """Return the (edition, url) explicit link targets of these articles that are not stored."""
    targets: set[tuple[str, str]] = set()
    for chunk in chunked(sorted_ids(article_ids)):
        query = (
            select(EditionLinkEntry.edition, EditionLinkEntry.to_url)
            .where(EditionLinkEntry.from_article_id.in_(chunk))
            .where(~exists().where(Article.url == EditionLinkEntry.to_url))
            # a moved article answers to its old URL too: the link names it, not a new page
            .where(~exists().where(Article.moved_from == EditionLinkEntry.to_url))
        )
        targets.update((row.edition, row.to_url) for row in conn.execute(query))
    return sorted(targets)


def apply_story_groups(conn: Connection, groups: Sequence[StoryGroup]) -> dict[int, int]:
    """Make each group one story, reusing the smallest unclaimed story id of its members."""
    now = clock.now()
    current = _current_memberships(conn, groups)
    claimed: set[int] = set()
    assigned: dict[int, int] = {}
    changes: list[dict[str, object]] = []
    touched: set[int] = set()
    for group, story_id in zip(
        groups, _claim_all(conn, groups, current, claimed, now), strict=True
    ):
        for member in group.members:
            assigned[member.article_id] = story_id
            before = current[member.article_id]
            if before != (story_id, member.method, member.score):
                changes.append(
                    {
                        "aid": member.article_id,
                        "sid": story_id,
                        "m": member.method,
                        "s": member.score,
                    }
                )
                touched.update(s for s in (before[0], story_id) if s is not None)
    _move(conn, changes)
    _delete_empty(conn, {s for s, _, _ in current.values() if s is not None} - claimed)
    _touch(conn, touched, now)  # ids deleted above are simply not found
    return assigned


def _current_memberships(conn: Connection, groups: Sequence[StoryGroup]) -> dict[int, Membership]:
    listed = [m.article_id for g in groups for m in g.members]
    if len(listed) != len(set(listed)):
        raise StorageError("cannot group articles: an article is listed in more than one group")
    current: dict[int, Membership] = {}
    for chunk in chunked(sorted_ids(listed)):
        query = select(Article.id, Article.story_id, Article.link_method, Article.link_score)
        query = query.where(Article.id.in_(chunk))
        if lock_rows(conn):
            query = query.order_by(Article.id).with_for_update()
        current.update((row[0], (row[1], row[2], row[3])) for row in conn.execute(query))
    missing = set(listed) - current.keys()
    if missing:
        raise StorageError(f"cannot group unknown articles: {sorted(missing)[:10]}")
    return current


def _claim_all(
    conn: Connection,
    groups: Sequence[StoryGroup],
    current: dict[int, Membership],
    claimed: set[int],
    now: datetime,
) -> list[int]:
    """Return each group's story: the smallest unclaimed one it holds, else a new one.

    The new stories are inserted in one statement, their ids handed out in the groups' order.
    """
    chosen: list[int | None] = []
    for group in groups:
        held = {current[m.article_id][0] for m in group.members} - claimed
        existing = [s for s in held if s is not None]
        story_id = min(existing) if existing else None
        if story_id is not None:
            claimed.add(story_id)
        chosen.append(story_id)
    wanted = chosen.count(None)
    new_ids: Iterator[int] = iter(())
    if wanted:
        # The rows are alike, so any order of ids will do; sorted, they go out deterministically.
        rows = [{"created_at": now, "updated_at": now} for _ in range(wanted)]
        inserted = conn.execute(insert(conn, Story).returning(Story.id), rows).scalars()
        new_ids = iter(sorted(int(i) for i in inserted))
    stories = [s if s is not None else next(new_ids) for s in chosen]
    claimed.update(stories)
    return stories


def _move(conn: Connection, changes: list[dict[str, object]]) -> None:
    if not changes:
        return
    statement = (
        update(Article)
        .where(Article.id == bindparam("aid"))
        .values(story_id=bindparam("sid"), link_method=bindparam("m"), link_score=bindparam("s"))
    )
    conn.execute(statement, changes)


def _touch(conn: Connection, story_ids: set[int], now: datetime) -> None:
    for chunk in chunked(sorted(story_ids)):
        conn.execute(update(Story).where(Story.id.in_(chunk)).values(updated_at=now))


def _delete_empty(conn: Connection, story_ids: set[int]) -> None:
    for chunk in chunked(sorted(story_ids)):
        conn.execute(
            delete(Story)
            .where(Story.id.in_(chunk))
            .where(~exists().where(Article.story_id == Story.id))
        )


def _neighbours(conn: Connection, ids: set[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunked(sorted(ids)):
        queries = []
        for address in ("url", "moved_from"):  # a moved article: either of its URLs
            outgoing = (
                select(Article.id)
                .join(EditionLinkEntry, EditionLinkEntry.to_url == getattr(Article, address))
                .where(EditionLinkEntry.from_article_id.in_(chunk))
            )
            incoming = (
                select(EditionLinkEntry.from_article_id)
                .join(_SOURCE, getattr(_SOURCE, address) == EditionLinkEntry.to_url)
                .where(_SOURCE.id.in_(chunk))
            )
            queries += [outgoing, incoming]
        stories = select(Article.story_id).where(
            Article.id.in_(chunk), Article.story_id.is_not(None)
        )
        queries.append(select(Article.id).where(Article.story_id.in_(stories.scalar_subquery())))
        for query in queries:
            found.update(conn.execute(query).scalars())
    return found


def _nodes(conn: Connection, ids: set[int]) -> tuple[LinkNode, ...]:
    nodes: list[LinkNode] = []
    columns = (
        Article.id,
        Article.edition,
        Article.published_at,
        Article.story_id,
        Article.link_method,
        Article.link_score,
    )
    for chunk in chunked(sorted(ids)):
        nodes.extend(
            LinkNode(*row) for row in conn.execute(select(*columns).where(Article.id.in_(chunk)))
        )
    return tuple(sorted(nodes, key=lambda n: n.article_id))


def _edges(conn: Connection, ids: set[int]) -> tuple[LinkEdge, ...]:
    edges: set[LinkEdge] = set()
    for chunk in chunked(sorted(ids)):
        for address in (Article.url, Article.moved_from):  # a moved article: either URL
            query = (
                select(EditionLinkEntry.from_article_id, Article.id, EditionLinkEntry.method)
                .join(Article, address == EditionLinkEntry.to_url)
                .where(EditionLinkEntry.from_article_id.in_(chunk))
            )
            edges.update(LinkEdge(*row, score=1.0) for row in conn.execute(query) if row[1] in ids)
    return tuple(sorted(edges, key=lambda e: (e.a, e.b, e.method)))
