"""A run that ends releases what it queued and never attempted: explicit-link targets queued by
a run stopped after its first batch are fetched by the next run at once, not 6 hours later (the
frontier's claim against overlapping runs); a run that fails keeps its claims."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from unn_ingest.config import Settings
from unn_ingest.extractors import clock
from unn_ingest.flows.fetch.site_limit import fetch_in_turn
from unn_ingest.flows.fetch.workers import BatchWork, analyse_outcomes
from unn_ingest.flows.runtime import open_run
from unn_ingest.flows.steps import batches, catchup
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

EDITIONS = ["uk", "en", "ru"]


@pytest.fixture(scope="module")
def site() -> Iterator[ReplicaServer]:
    with running_replica(seed=3) as server:
        yield server


def settings_for(server: ReplicaServer, data_dir: Path) -> Settings:
    return Settings(
        origin=server.base_url, data_dir=data_dir, workers=1, archive=False, requests_per_second=0
    )


def first_batch_only(settings: Settings, fail: bool = False) -> set[str]:
    """Run `ingest`'s steps up to its first batch, then end as a stopped run does (or raise);
    return the explicit-link targets that batch queued and did not fetch."""
    with open_run(settings) as ctx:
        items = [item for ed in EDITIONS for item in catchup.catch_up(ctx, ed).items]
        requests = batches.select_requests(ctx, items, True, EDITIONS)
        follow = batches.process_batch(ctx, requests[: ctx.batch_size]).follow_up
        if fail:
            raise RuntimeError("the run fails here")
    return {r.url for r in follow}


@pytest.mark.parametrize("fail", [False, True], ids=["stopped", "failed"])
def test_a_run_that_ends_leaves_its_unfetched_link_targets_to_the_next(
    site: ReplicaServer, tmp_path: Path, fail: bool
) -> None:
    settings = settings_for(site, tmp_path / "data")
    with clock.use_clock(clock.FixedClock(site.site.clock.now())):
        if fail:
            with pytest.raises(RuntimeError):
                first_batch_only(settings, fail=True)
            with Store.open(settings.database_url()) as store:
                queued = set(store.unstored_urls())
        else:
            queued = first_batch_only(settings)
        with Store.open(settings.database_url()) as store:
            due = set(store.due_urls("article", clock.now()))
    assert queued  # the first batch's pages point at editions no listing has shown yet
    if fail:
        assert not due & queued  # still this run's for the claim's hours
    else:
        assert queued <= due  # the next run fetches them at once


def test_a_batch_read_ahead_and_stored_after_a_stop_queues_its_link_targets(
    site: ReplicaServer, tmp_path: Path
) -> None:
    """A batch the workers had fetched when the run was stopped is stored on the way out; the
    editions its pages link to are left to the next run as a processed batch's are."""
    settings = settings_for(site, tmp_path / "data")
    with clock.use_clock(clock.FixedClock(site.site.clock.now())):
        with open_run(settings) as ctx:
            items = catchup.catch_up(ctx, "uk").items  # the other editions are not discovered
            batch = batches.select_requests(ctx, items, True, ["uk"])[: ctx.batch_size]
            work: Future[BatchWork] = Future()
            work.set_result(analyse_outcomes(fetch_in_turn(ctx, batch), ctx.profile))
            ctx.stop.set()
            batches.store_stopped(ctx, [(batch, work)])
            stored = ctx.report.stored_ids()
            targets = {url for _, url in ctx.store.unlinked_urls(stored)}
        with Store.open(settings.database_url()) as store:
            due = set(store.due_urls("article", clock.now()))
    assert stored and targets  # the stored pages point at editions not fetched yet
    assert targets <= due  # the next run fetches them
