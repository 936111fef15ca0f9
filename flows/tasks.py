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


@task(name="discover-latest", cache_policy=NO_CACHE)
def discover_latest(ctx: RunContext, edition: str) -> list[DiscoveredItem]:
    """Read one edition's feed and first listing page."""
    return discover.discover_latest(ctx, edition)


@task(name="discover-range", cache_policy=NO_CACHE)
def discover_range(
    ctx: RunContext, edition: str, date_from: date, date_to: date
) -> list[DiscoveredItem]:
    """Walk one edition's listing pages over a date range."""
    return discover.discover_range(ctx, edition, date_from, date_to)


@task(name="select-work", cache_policy=NO_CACHE)
def select_requests(
    ctx: RunContext, items: list[DiscoveredItem], refetch_known: bool, editions: list[str]
) -> list[FetchRequest]:
    """Put what was discovered in the frontier; decide what is due or needs a re-check."""
    return batches.select_requests(ctx, items, refetch_known, editions)


@task(name="process-batch", cache_policy=NO_CACHE)
def process_batch(ctx: RunContext, requests: list[FetchRequest]) -> BatchResult:
    """Fetch, extract, tag, store and explicitly link one batch of articles."""
    return batches.process_batch(ctx, requests)


@task(name="link-by-content", cache_policy=NO_CACHE)
def link_by_content(ctx: RunContext, article_ids: list[int]) -> int:
    """Join editions without explicit links by their content; mark near-duplicates."""
    return link.link_by_content(ctx, article_ids)
