"""The Prefect flows: `ingest` (latest from feeds and listings) and `backfill` (a date range).

A flow's steps read like the pipeline diagram; every step is a task wrapping a plain function.
From synchronous code, run a flow with `asyncio.run(ingest(...))`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import TypeVar, cast

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import SyncClientContext
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote as prefect_quote

from unn_ingest.config import Settings
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows import drift, tasks
from unn_ingest.flows.context import RunContext, StopSignal
from unn_ingest.flows.fetch.http import FetchRequest
from unn_ingest.flows.report import RunReport
from unn_ingest.flows.runtime import open_run, resolve_settings
from unn_ingest.flows.steps.batches import BatchResult, chunked, plan_pages, reading_ahead

T = TypeVar("T")
R = TypeVar("R")


def quote(value: T) -> T:
    """Pass a value to a task as is: Prefect must not walk it looking for futures."""
    return cast(T, prefect_quote(value))


MAX_FOLLOW_ROUNDS = 3  # explicit links may point at editions no feed listed yet
BATCHES_IN_FLIGHT = 3  # workers stay busy while the main process stores
POOL_THRESHOLD = 200  # below this many pages, a process pool costs more than it saves


# The flows are async only so that Prefect does not hold each run's end for its heartbeat
# thread (the sync engine joins it, and it sleeps in whole seconds: up to a second per run).
# Their steps are plain blocking code and run in a thread, the event loop left free.


@flow(name="ingest", log_prints=False)
async def ingest(
    editions: list[str] | None = None,
    origin: str | None = None,
    db_url: str | None = None,
    data_dir: str | None = None,
) -> dict[str, object]:
    """Fetch what is new or changed in each edition's feed and first listing page, and store it."""
    settings = resolve_settings(origin=origin, db_url=db_url, data_dir=data_dir)
    return await run_steps(settings, ingest_steps, editions)


@flow(name="backfill", log_prints=False)
async def backfill(
    date_from: date,
    date_to: date,
    editions: list[str] | None = None,
    origin: str | None = None,
    db_url: str | None = None,
    data_dir: str | None = None,
    refetch: bool = False,
) -> dict[str, object]:
    """Store every article of the site's local dates date_from..date_to (inclusive)."""
    settings = resolve_settings(origin=origin, db_url=db_url, data_dir=data_dir)
    return await run_steps(settings, backfill_steps, date_from, date_to, editions, refetch)


async def run_steps(settings: Settings, steps: Callable[..., R], *args: object) -> R:
    """Open a run and call `steps(ctx, *args)` in a thread whose tasks share one Prefect client.

    (Without a client in the context, Prefect makes one per task run, with a fresh TLS
    context each time: ~20 ms of CPU per task.) When the flow is cancelled (Ctrl-C, or a
    cancelled flow run), the steps are told to stop and are waited for while they clean up.
    """
    stop = StopSignal()

    def call() -> R:
        with SyncClientContext.get_or_create(), open_run(settings, stop) as ctx:
            return steps(ctx, *args)

    work = asyncio.ensure_future(asyncio.to_thread(call))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        stop.set()
        with contextlib.suppress(Exception):
            await work
        raise


def ingest_steps(ctx: RunContext, editions: list[str] | None) -> dict[str, object]:
    """Run the steps of `ingest` (inside its flow run)."""
    chosen = editions or list(ctx.profile.edition_codes)
    reads = [tasks.discover_latest.submit(quote(ctx), ed) for ed in chosen]
    items = [item for read in reads for item in read.result()]
    requests = tasks.select_requests(quote(ctx), quote(items), True, chosen)
    stored = fetch_and_store(ctx, requests)
    tasks.link_by_content(quote(ctx), quote(stored))
    return publish(ctx.report, "ingest") | {"drift": publish_drift(ctx, "ingest")}


def backfill_steps(
    ctx: RunContext, date_from: date, date_to: date, editions: list[str] | None, refetch: bool
) -> dict[str, object]:
    """Run the steps of `backfill` (inside its flow run)."""
    if ctx.executor is not None:
        ctx.executor.warm()  # a backfill is large: start the workers while listings are read
    chosen = editions or list(ctx.profile.edition_codes)
    walks = [tasks.discover_range.submit(quote(ctx), ed, date_from, date_to) for ed in chosen]
    items = [item for walk in walks for item in walk.result()]
    requests = tasks.select_requests(quote(ctx), quote(items), refetch, chosen)
    ctx.use_executor = ctx.executor is not None and len(requests) >= POOL_THRESHOLD
    days = list(split_by_day(ctx, items, requests).values())
    batches = (batch for day in days for batch in chunked(day, ctx.batch_size))
    with reading_ahead(ctx, batches):  # workers go on across batch and day boundaries
        for day_requests in days:
            ctx.stop.check()
            stored = fetch_and_store(ctx, day_requests)
            tasks.link_by_content(quote(ctx), quote(stored))  # a window of days around this one
            ctx.forget_all_but(stored)  # memory stays bounded however long the range
    return publish(ctx.report, "backfill") | {"drift": publish_drift(ctx, "backfill")}


def publish_drift(ctx: RunContext, flow_name: str) -> dict[str, object]:
    """Publish the run's drift section (flows.drift) and return it for the summary."""
    return drift.publish_drift(ctx.report.drift, ctx.profile, flow_name, get_run_logger())


def fetch_and_store(ctx: RunContext, requests: Sequence[FetchRequest]) -> list[int]:
    """Process requests in batches, then follow explicit links to editions not yet stored.

    Several batches are in flight at once, so workers fetch and analyse while this process
    stores and links.
    """
    if len(requests) >= POOL_THRESHOLD and ctx.executor is not None:
        ctx.executor.warm()
        ctx.use_executor = True
    stored: list[int] = []
    seen = {r.url for r in requests}
    pending = list(requests)
    for _ in range(MAX_FOLLOW_ROUNDS + 1):
        follow: list[FetchRequest] = []
        for result in _run_batches(ctx, pending):
            stored += result.article_ids
            follow += [r for r in result.follow_up if r.url not in seen]
            seen.update(r.url for r in result.follow_up)
        if not follow:
            break
        plan_pages(ctx, len(follow))
        pending = follow
    return stored


def _run_batches(ctx: RunContext, requests: Sequence[FetchRequest]) -> Iterator[BatchResult]:
    in_flight: deque[PrefectFuture[BatchResult]] = deque()
    try:
        for batch in chunked(requests, ctx.batch_size):
            ctx.stop.check()
            in_flight.append(tasks.process_batch.submit(quote(ctx), quote(batch)))
            if len(in_flight) >= BATCHES_IN_FLIGHT:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
    finally:
        for future in in_flight:  # a stopped run: the batches in flight store what they fetched
            future.wait()


def split_by_day(
    ctx: RunContext, items: Sequence[DiscoveredItem], requests: Sequence[FetchRequest]
) -> dict[date, list[FetchRequest]]:
    """Group requests by the site-local publish date of their item (newest day first)."""
    zone = ctx.zone()
    day_of = {i.url: i.published_at.astimezone(zone).date() for i in items if i.published_at}
    days: dict[date, list[FetchRequest]] = defaultdict(list)
    for request in requests:
        days[day_of.get(request.url, date.min)].append(request)
    return dict(sorted(days.items(), reverse=True))


FAILURES_HINT = (
    "\n\nWhat still fails, why, how often and when it is tried next (the frontier): "
    "`unn-ingest failures --since 1d` (add `--json` for machines)."
)


def publish(report: RunReport, flow_name: str) -> dict[str, object]:
    """Publish the run's table and failure artifacts and log a summary; return the summary."""
    logger = get_run_logger()
    # `_sync`: this runs in the async flow's thread, where Prefect would otherwise hand back
    # a coroutine; the keyword is Prefect's own switch, missing from its type hints.
    create_table_artifact(  # type: ignore[call-arg]
        key=f"{flow_name}-summary",
        table=report.table(),
        description=f"{flow_name}: per edition, what this run discovered, fetched and stored",
        _sync=True,
    )
    create_markdown_artifact(  # type: ignore[call-arg]
        key=f"{flow_name}-failures",
        markdown=f"# {flow_name}: failures\n\n{report.failures_markdown()}{FAILURES_HINT}",
        description=f"{flow_name}: what failed, with the reason",
        _sync=True,
    )
    logger.info(
        "%s: %d new, %d updated, %d unchanged, %d linked, %d failed",
        flow_name,
        report.total("new"),
        report.total("updated"),
        report.total("unchanged"),
        report.total("linked"),
        len(report.failures),
    )
    return report.summary()
