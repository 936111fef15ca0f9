"""One site-wide budget shared by every run: a Prefect global concurrency limit.

With `UNN_INGEST_SITE_LIMIT=<name>` every batch fetch and listing read holds one slot of that
limit, so a scheduled `ingest` and a long `backfill` (or several workers) take turns at the
site instead of adding their request rates up. Unset, each run keeps only its own politeness.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from unn_ingest.flows.context import RunContext
from unn_ingest.flows.errors import ConfigError
from unn_ingest.flows.fetch.http import FetchOutcome, FetchRequest


@contextmanager
def site_slot(limit: str | None) -> Iterator[None]:
    """Hold one slot of the site's limit (if one is configured) while the body runs.

    It waits as long as it takes: another run holds the slot only while it fetches, and a
    crashed holder's lease expires. (No timeout: an acquisition Prefect completes after the
    caller gave up would hold a slot until its lease expires.)
    """
    if not limit:
        yield
        return
    from prefect.concurrency.sync import concurrency

    with concurrency(limit, occupy=1, strict=True):
        yield


def check_site_limit(limit: str | None) -> None:
    """Fail clearly when the configured limit does not exist on the Prefect server."""
    if not limit:
        return
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(limit)
        except ObjectNotFound:
            raise ConfigError(
                f"Prefect concurrency limit {limit!r} does not exist; create it with "
                f"`prefect gcl create {limit} --limit 1`"
            ) from None


def fetch_in_turn(ctx: RunContext, requests: Sequence[FetchRequest]) -> list[FetchOutcome]:
    """Fetch requests while holding a slot of the site's limit (if one is configured)."""
    with site_slot(ctx.site_limit):
        return ctx.fetcher.fetch_all(requests)
