"""The plain steps of a run, without Prefect: discover, select, process a batch, link.

The replica's site object answers through `httpx.MockTransport` (no socket) and the store is an
in-memory SQLite database, so this is the fast tier's end-to-end check of the data flow.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from unn_ingest.config import load_profile
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import Fetcher, FetchPolicy
from unn_ingest.flows.steps import batches, discover, link
from unn_ingest.replica.site import ReplicaSite
from unn_ingest.replica.testing import make_site
from unn_ingest.storage import Store

ORIGIN = "http://replica.test"


def site_transport(site: ReplicaSite) -> httpx.MockTransport:
    """Answer every request from the replica's renderer, as its server would without faults."""

    def handle(request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode("ascii")
        page = site.render(target, headers=dict(request.headers))
        return httpx.Response(page.status, headers=page.headers, content=page.body)

    return httpx.MockTransport(handle)


@pytest.fixture
def site() -> ReplicaSite:
    replica = make_site(generated=40)
    replica.set_origin(ORIGIN)
    return replica


@pytest.fixture
def ctx(site: ReplicaSite) -> Iterator[RunContext]:
    profile = load_profile("unn", origin=ORIGIN)
    fetcher = Fetcher(FetchPolicy.for_profile(profile, rps=0, concurrency=8), site_transport(site))
    store = Store.open("sqlite://")
    try:
        yield RunContext(
            profile=profile,
            store=store,
            fetcher=fetcher,
            revisit_min=timedelta(0),
            revisit_age_factor=0,
        )
    finally:
        fetcher.close()
        store.close()


def run_latest(ctx: RunContext) -> list[int]:
    """Discover the feeds and first listings, then select, process and link what is new."""
    items = [item for ed in ctx.profile.edition_codes for item in discover.discover_latest(ctx, ed)]
    requests = batches.select_requests(ctx, items, True)
    stored: list[int] = []
    for batch in batches.chunked(requests, ctx.batch_size):
        stored += batches.process_batch(ctx, batch).article_ids
    link.link_by_content(ctx, stored)
    return stored


def stored(ctx: RunContext) -> dict[str, dict[str, Any]]:
    return {row["url"]: row for row in ctx.store.iter_export(None, None)}


def test_latest_articles_are_stored_with_their_true_titles_and_languages(
    ctx: RunContext, site: ReplicaSite
) -> None:
    run_latest(ctx)
    rows = stored(ctx)
    truth = {a["url"]: a for a in site.truth()["articles"]}
    assert len(rows) >= 30
    assert set(rows) <= set(truth)
    assert all(rows[u]["title"] == truth[u]["title"] for u in rows)
    assert all(rows[u]["edition"] == truth[u]["edition"] for u in rows)
    assert sum(rows[u]["lang_detected"] == rows[u]["edition"] for u in rows) >= 0.95 * len(rows)


def test_stories_never_join_editions_of_different_true_stories(
    ctx: RunContext, site: ReplicaSite
) -> None:
    run_latest(ctx)
    truth_story = {a["url"]: a["story_id"] for a in site.truth()["articles"]}
    groups: dict[int, set[str]] = defaultdict(set)
    for url, row in stored(ctx).items():
        groups[row["story_id"]].add(url)
    assert any(len(urls) == 3 for urls in groups.values())
    for urls in groups.values():
        assert len({truth_story[u] for u in urls}) == 1, f"wrong merge: {sorted(urls)}"


def test_a_second_run_selects_nothing_new_and_changes_nothing(ctx: RunContext) -> None:
    run_latest(ctx)
    before = stored(ctx)
    assert run_latest(ctx) == []  # every re-check is answered 304 Not Modified
    assert stored(ctx) == before
    summary: dict[str, Any] = ctx.report.summary()
    assert summary["editions"]["total"]["new"] == len(before)


def test_runs_at_once_select_what_they_listed_not_each_others_pending_urls(
    ctx: RunContext,
) -> None:
    items = [item for ed in ctx.profile.edition_codes for item in discover.discover_latest(ctx, ed)]
    first, second = items[::2], items[1::2]  # two parts of a split backfill, say
    mine = {r.url for r in batches.select_requests(ctx, first, False)}
    theirs = {r.url for r in batches.select_requests(ctx, second, False)}
    assert mine == {i.url for i in first}
    assert theirs == {i.url for i in second} - mine
    # a run that died before fetching: the next run that lists its URLs fetches them
    assert {r.url for r in batches.select_requests(ctx, first, False)} == mine


def without_rubric(transport: httpx.MockTransport) -> httpx.MockTransport:
    """Serve article pages with every sign of their rubric removed (metadata, link, data)."""
    signs = re.compile(
        rb'<meta property="article:section"[^>]*>|<a class="single-news-card_rubric[^>]*>[^<]*</a>'
        rb'|"rubric":"[^"]*",'
    )

    def handle(request: httpx.Request) -> httpx.Response:
        answer = transport.handle_request(request)
        if "/news/" not in request.url.path:
            return answer
        return httpx.Response(
            answer.status_code, headers=answer.headers, content=signs.sub(b"", answer.read())
        )

    return httpx.MockTransport(handle)


def test_the_feeds_category_is_only_the_fallback_for_a_page_without_rubric(
    site: ReplicaSite, ctx: RunContext
) -> None:
    ctx.fetcher.close()
    profile = ctx.profile
    ctx.fetcher = Fetcher(
        FetchPolicy.for_profile(profile, rps=0, concurrency=8), without_rubric(site_transport(site))
    )
    run_latest(ctx)
    truth = {a["url"]: a for a in site.truth()["articles"]}
    rows = stored(ctx)
    from_feed = [r for r in rows.values() if r["rubric"] is not None]
    assert from_feed and all(r["rubric"] == truth[r["url"]]["rubric"] for r in from_feed)
    assert all(r["rubric_key"] is None for r in rows.values())  # a feed has no rubric path
    fields: dict[str, Any] = ctx.report.drift.summary(profile.css, 0.9)["fields"]  # type: ignore[assignment]
    assert fields["rubric_key"]["found"] == 0
