"""Prefect tasks: each a line calling a plain step of flows/batches.py or flows/link.py.

Tasks work on batches (an edition's feed, a listing walk, ~80 URLs), never one article, and
take no cache: their inputs are live objects (store, fetcher) and their effects are upserts.
"""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE

from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import FetchRequest
from unn_ingest.flows.steps import batches, discover, link
from unn_ingest.flows.steps.batches import BatchResult


@task(name="discover-latest", task_run_name="discover-latest {edition}", cache_policy=NO_CACHE)
def discover_latest(ctx: RunContext, edition: str) -> list[DiscoveredItem]:
    """Read one edition's feed and first listing page."""
    return discover.discover_latest(ctx, edition)


@task(
    name="discover-range",
    task_run_name="discover-range {edition} {date_from}..{date_to}",
    cache_policy=NO_CACHE,
)
def discover_range(
    ctx: RunContext, edition: str, date_from: date, date_to: date
) -> list[DiscoveredItem]:
    """Walk one edition's listing pages over a date range."""
    return discover.discover_range(ctx, edition, date_from, date_to)


@task(name="select-work", task_run_name="select-work", cache_policy=NO_CACHE)
def select_requests(
    ctx: RunContext, items: list[DiscoveredItem], refetch_known: bool, editions: list[str]
) -> list[FetchRequest]:
    """Put what was discovered in the frontier; decide what is due or needs a re-check."""
    return batches.select_requests(ctx, items, refetch_known, editions)


@task(name="process-batch", task_run_name="process-batch {label}", cache_policy=NO_CACHE)
def process_batch(ctx: RunContext, requests: list[FetchRequest], label: str = "") -> BatchResult:
    """Fetch, extract, tag, store and explicitly link one batch of articles (`uk 2025-11-03 #2`)."""
    return batches.process_batch(ctx, requests)


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
