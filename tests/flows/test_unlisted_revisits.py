"""Recent stored articles are revisited on their schedule after they leave the feed: a
correction made while the pipeline was stopped, to an article that left the feed meanwhile,
is still caught by the next run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests.flows.test_steps import ORIGIN, site_transport
from unn_ingest.config import load_profile
from unn_ingest.extractors import clock
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import Fetcher, FetchPolicy
from unn_ingest.flows.steps import batches, discover
from unn_ingest.replica.site import ReplicaSite
from unn_ingest.replica.testing import make_site
from unn_ingest.storage import Store

STOP = timedelta(hours=12)


@pytest.fixture
def site() -> ReplicaSite:
    replica = make_site(seed=3, generated=40)
    replica.set_origin(ORIGIN)
    return replica


@pytest.fixture
def ctx(site: ReplicaSite) -> Iterator[RunContext]:
    """A run context with the default revisit schedule, its clock at the site's."""
    profile = load_profile("unn", origin=ORIGIN)
    fetcher = Fetcher(FetchPolicy.for_profile(profile, rps=0, concurrency=8), site_transport(site))
    store = Store.open("sqlite://")
    try:
        with clock.use_clock(clock.FixedClock(site.now())):
            yield RunContext(profile=profile, store=store, fetcher=fetcher)
    finally:
        fetcher.close()
        store.close()


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def discovered(ctx: RunContext) -> list[DiscoveredItem]:
    return [i for ed in ctx.profile.edition_codes for i in discover.discover_latest(ctx, ed)]


def run(ctx: RunContext, items: list[DiscoveredItem]) -> None:
    for batch in batches.chunked(batches.select_requests(ctx, items, True), ctx.batch_size):
        batches.process_batch(ctx, batch)


def test_a_correction_to_an_article_that_left_the_feed_during_a_stop_is_caught(
    ctx: RunContext, site: ReplicaSite
) -> None:
    run(ctx, discovered(ctx))
    before = {r["url"]: r for r in ctx.store.iter_export(None, None)}
    site.clock.advance(STOP.total_seconds())
    now = site.now()
    truth = {a["url"]: a for a in site.truth()["articles"]}
    items = discovered(ctx)
    site_now = max(i.published_at for i in items if i.published_at)
    corrected = sorted(
        (instant(a["published_at"]), url)
        for url, a in truth.items()
        if url in before
        and before[url]["title"] != a["title"]
        and site_now - instant(a["published_at"]) < timedelta(hours=16)
    )
    assert corrected, "the replica corrects a recent stored article during the stop"
    published, url = corrected[0]
    # The feed has moved on: nothing it lists is as old as the corrected article.
    left = [i for i in items if i.published_at and i.published_at > published]
    assert url not in {i.url for i in left}

    with clock.use_clock(clock.FixedClock(now)):
        run(ctx, left)

    view = ctx.store.article(url)
    assert view is not None
    assert view.title == truth[url]["title"]
    assert view.revisions, "the text first stored is kept as a revision"


def test_articles_checked_on_their_way_out_of_the_feed_are_not_asked_again(
    ctx: RunContext, site: ReplicaSite
) -> None:
    run(ctx, discovered(ctx))
    site.clock.advance(timedelta(minutes=10).total_seconds())
    items = discovered(ctx)
    newest = max(i.published_at for i in items if i.published_at)
    with clock.use_clock(clock.FixedClock(site.now())):
        assert (
            batches.select_requests(ctx, [i for i in items if i.published_at == newest], True) == []
        )


def test_a_young_article_moved_before_its_first_re_check_is_a_move_not_a_new_one(
    ctx: RunContext, site: ReplicaSite
) -> None:
    run(ctx, discovered(ctx))
    rows = list(ctx.store.iter_export(None, None))
    newest = max(rows, key=lambda r: r["published_at"])
    new_path = site.live.move(site.index, urlsplit(newest["url"]).path, site.now(), "a-new-slug")
    site.clock.advance(timedelta(minutes=20).total_seconds())  # its schedule: at 1 h

    with clock.use_clock(clock.FixedClock(site.now())):
        run(ctx, discovered(ctx))

    view = ctx.store.article(ORIGIN + new_path)
    assert view is not None
    assert view.moved_from == newest["url"]
    assert len(list(ctx.store.iter_export(None, None))) == len(rows)
