"""Prefect tasks: each a line calling a plain step of flows/batches.py or flows/link.py.

Tasks work on batches (an edition's feed, a listing walk, ~80 URLs, a day of a backfill),
never one article, and take no cache: their inputs are live objects (store, fetcher) and their
effects are upserts. Discovery, batches and days end in a state that says whether their work
failed (flows/task_states.py); read their results with `task_result`.
"""

from __future__ import annotations

from datetime import date

from prefect import State, task
from prefect.cache_policies import NO_CACHE

from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows import cputime
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import FetchRequest
from unn_ingest.flows.steps import batches, catchup, daily, discover, link
from unn_ingest.flows.steps.batches import BatchResult
from unn_ingest.flows.task_states import (
    batch_state,
    day_state,
    discovery_state,
    quiet_state_echo,
)

quiet_state_echo()  # a task that returns Failed is not an exception: no empty traceback


@task(name="catch-up", task_run_name="catch-up {edition}", cache_policy=NO_CACHE)
@cputime.staged("discover")
def catch_up(ctx: RunContext, edition: str) -> State[catchup.CatchUp]:
    """Read one edition's feed and listing pages back to what the last run covered."""
    return discovery_state(ctx, edition, lambda: catchup.catch_up(ctx, edition), found=_caught)


def _caught(caught: catchup.CatchUp) -> int:
    return len(caught.items)


@task(
    name="discover-range",
    task_run_name="discover-range {edition} {date_from}..{date_to}",
    cache_policy=NO_CACHE,
)
@cputime.staged("discover")
def discover_range(
    ctx: RunContext, edition: str, date_from: date, date_to: date
) -> State[list[DiscoveredItem]]:
    """Walk one edition's listing pages over a date range."""
    walk = lambda: discover.discover_range(ctx, edition, date_from, date_to)  # noqa: E731
    return discovery_state(ctx, edition, walk)


@task(name="select-work", task_run_name="select-work", cache_policy=NO_CACHE)
@cputime.staged("frontier: select")
def select_requests(
    ctx: RunContext, items: list[DiscoveredItem], refetch_known: bool, editions: list[str]
) -> list[FetchRequest]:
    """Put what was discovered in the frontier; decide what is due or needs a re-check."""
    return batches.select_requests(ctx, items, refetch_known, editions)


@task(name="process-batch", task_run_name="process-batch {label}", cache_policy=NO_CACHE)
@cputime.staged("batch: the rest")
def process_batch(
    ctx: RunContext, requests: list[FetchRequest], label: str = ""
) -> State[BatchResult]:
    """Fetch, extract, tag, store and explicitly link one batch of articles (`uk 2025-11-03 #2`)."""
    return batch_state(batches.process_batch(ctx, requests))


@task(name="process-day", task_run_name="process-day {label}", cache_policy=NO_CACHE)
def process_day(
    ctx: RunContext, requests: list[FetchRequest], store: daily.StoreDay, label: str = ""
) -> State[list[int]]:
    """Fetch, analyse, store and link by content one day of a backfill (`uk+en 2025-11-03`)."""
    return day_state(ctx, len(requests), lambda: daily.process_day(ctx, requests, store))


@task(name="settle-link-debt", task_run_name="settle-link-debt {what}", cache_policy=NO_CACHE)
def settle_link_debt(
    ctx: RunContext, what: str, date_from: date | None = None, date_to: date | None = None
) -> int:
    """Link what earlier runs stored on these dates but did not link (None: unbounded)."""
    return link.settle_link_debt(ctx, date_from, date_to)


@task(name="link-by-content", task_run_name="link-by-content {where}", cache_policy=NO_CACHE)
def link_by_content(ctx: RunContext, article_ids: list[int], where: str = "") -> int:
    """Join editions without explicit links by their content; mark near-duplicates."""
    return link.link_by_content(ctx, article_ids)
