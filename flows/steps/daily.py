"""One day of a backfill as one unit of work: its batches one after another, then its content
links.

A backfill runs a day as one Prefect task instead of a task per batch and one for the day's
content linking: a task run costs Prefect's server its events and the main process its task
engine, about 40 ms of CPU together (docs/performance.md), i.e. 23 task runs per 1,000
articles cost more than the linking. The batches stay the unit of work of the worker
processes (which read ahead across days as before) and keep their log line each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from unn_ingest.flows import cputime
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import FetchRequest
from unn_ingest.flows.steps.batches import BatchResult, chunked, process_batch
from unn_ingest.flows.steps.link import link_by_content

StoreDay = Callable[[Sequence[FetchRequest]], list[int]]  # stores requests, returns article ids


def process_day(ctx: RunContext, requests: Sequence[FetchRequest], store: StoreDay) -> list[int]:
    """Store a day's requests with `store` (batches and follow-ups), then link them by content.

    A run stopped meanwhile leaves the day's content linking to the next run, as a stopped
    batch does.
    """
    stored = store(requests)
    if not ctx.stop.is_set():
        link_by_content(ctx, stored)
    return stored


def batches_in_turn(
    ctx: RunContext, requests: Sequence[FetchRequest]
) -> Iterator[tuple[int, BatchResult]]:
    """Yield (batch size, result) of the requests' batches, processed one after another.

    The workers read ahead, so they fetch and analyse the next batches while this one is
    stored. Once the run is stopped, no further batch is started.
    """
    for batch in chunked(requests, ctx.batch_size):
        if ctx.stop.is_set():
            return
        yield len(batch), _process(ctx, batch)


@cputime.staged("batch: the rest")
def _process(ctx: RunContext, batch: Sequence[FetchRequest]) -> BatchResult:
    return process_batch(ctx, batch)
