"""Write what every request gave into the store's fetch log (the frontier's retry state)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from unn_ingest.flows import cputime
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import FetchOutcome
from unn_ingest.flows.report import Failure
from unn_ingest.storage import FetchRecord


@cputime.staged("frontier: fetch log")
def log_fetches(
    ctx: RunContext,
    outcomes: Sequence[FetchOutcome],
    kind: str,
    later: Mapping[str, str | None] | None = None,
    robots: Sequence[FetchOutcome] = (),
) -> None:
    """Record the outcomes in the fetch log (one transaction), with the robots.txt fetches.

    `later` maps a URL to "stage: reason" when its response was fetched but failed a later
    stage (extract, listing, feed): the log then holds that failure, not a success.
    `robots` are robots.txt fetches made elsewhere (a worker process); those this process's
    fetcher made are taken from it here. A broken or unreachable robots.txt is a run failure.
    """
    later = later or {}
    robots = [*robots, *ctx.fetcher.take_robots_fetches()]
    # A request the run stopped before making says nothing of its URL: it stays due as it was.
    records = [fetch_record(o, kind, later.get(o.url)) for o in outcomes if o.stage != "stopped"]
    records += [fetch_record(o, "robots") for o in robots]
    with ctx.db_lock:  # reentrant: batches already hold it, concurrent discovery does not
        ctx.store.record_fetches(records, ctx.retry_delays)
    for outcome in robots:
        if outcome.error:
            ctx.report.fail(Failure(outcome.url, "robots", outcome.error))


def fetch_record(outcome: FetchOutcome, kind: str, later_error: str | None = None) -> FetchRecord:
    """Return the fetch-log record of one outcome (failed at a later stage, if given)."""
    page = outcome.page
    record = FetchRecord(
        url=outcome.url,
        kind=kind,
        status=outcome.status,
        etag=page.header("etag") if page else None,
        last_modified=page.header("last-modified") if page else None,
        content_hash=None,
        error=outcome.error,
        fetched_at=outcome.fetched_at,
        archive_ref=outcome.archive_ref,
        transient=outcome.transient,
        stage=outcome.stage,
    )
    if later_error and outcome.error is None:  # no validators: the next fetch reads it whole
        stage = later_error.split(":", 1)[0]
        record = replace(
            record, error=later_error, etag=None, last_modified=None, stage=stage, transient=True
        )
    return record
