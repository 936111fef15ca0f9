"""Write what every request gave into the store's fetch log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import FetchOutcome
from unn_ingest.storage import FetchRecord


def log_fetches(
    ctx: RunContext,
    outcomes: Sequence[FetchOutcome],
    kind: str,
    later: Mapping[str, str | None] | None = None,
) -> None:
    """Record the outcomes in the fetch log (one transaction).

    `later` maps a URL to "stage: reason" when its response was fetched but failed a later
    stage (extract, listing, feed): the log then holds that failure, not a success.
    """
    later = later or {}
    records = [fetch_record(o, kind, later.get(o.url)) for o in outcomes]
    with ctx.db_lock:  # reentrant: batches already hold it, concurrent discovery does not
        ctx.store.record_fetches(records)


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
    )
    if later_error and outcome.error is None:  # no validators: the next fetch reads it whole
        record = replace(record, error=later_error, etag=None, last_modified=None)
    return record
