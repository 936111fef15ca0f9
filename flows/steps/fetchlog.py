"""Write what every request gave into the store's fetch log."""

from __future__ import annotations

from collections.abc import Sequence

from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import FetchOutcome
from unn_ingest.storage import FetchRecord


def log_fetches(ctx: RunContext, outcomes: Sequence[FetchOutcome], kind: str) -> None:
    """Record the outcomes in the fetch log (one transaction)."""
    records = [fetch_record(o, kind) for o in outcomes]
    with ctx.db_lock:  # reentrant: batches already hold it, concurrent discovery does not
        ctx.store.record_fetches(records)


def fetch_record(outcome: FetchOutcome, kind: str) -> FetchRecord:
    """Return the fetch-log record of one outcome."""
    page = outcome.page
    return FetchRecord(
        url=outcome.url,
        kind=kind,
        status=outcome.status,
        etag=page.header("etag") if page else None,
        last_modified=page.header("last-modified") if page else None,
        content_hash=None,
        error=outcome.error,
        fetched_at=outcome.fetched_at,
    )
