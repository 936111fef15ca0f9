"""The `split-backfill` command: a backfill cut into parts that the pool's workers share."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer

from unn_ingest.flows.cli.options import (
    USAGE,
    Editions,
    JsonOut,
    console,
    fail,
    parse_date,
    parse_editions,
    print_json,
    usage,
    user_errors,
)


def split_backfill(
    date_from: Annotated[str, typer.Option("--from", help="First local date, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last local date, YYYY-MM-DD (inclusive).")],
    part_days: Annotated[
        int, typer.Option(min=1, help="Days per part: 1 (a flow run per day), 7 (per week).")
    ] = 1,
    edition: Editions = "uk,en,ru",
    refetch: Annotated[
        bool,
        typer.Option(
            help="Ask the site again for every stored article of the range (conditional GETs)."
        ),
    ] = False,
    deployment: Annotated[
        str, typer.Option(help="The deployment whose runs (one per part) the workers pick up.")
    ] = "backfill-part/backfill-part",
    site_limit: Annotated[
        str | None,
        typer.Option(
            envvar="UNN_INGEST_SITE_LIMIT",
            help="Prefect global concurrency limit every part's fetches share.",
        ),
    ] = None,
    json_out: JsonOut = False,
) -> None:
    """Cut a backfill into parts, each a flow run of the backfill-part deployment (any worker)."""
    start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if end < start:
        usage(f"--to {end} is before --from {start}")
    editions = parse_editions(edition)
    with user_errors():
        if not os.environ.get("PREFECT_API_URL"):
            fail(
                "split-backfill runs its parts on a Prefect server's workers: set "
                "PREFECT_API_URL (docs/scale.md)",
                USAGE,
            )
        from unn_ingest.flows.fetch.site_limit import check_site_limit
        from unn_ingest.flows.split import split_backfill as split_flow

        check_site_limit(site_limit)
        summary = asyncio.run(
            split_flow(start, end, part_days, editions, refetch, deployment, site_limit)
        )
    if json_out:
        print_json(summary)
        return
    console.print(
        f"{summary['parts']} parts: {summary['completed_before']} completed before, "
        f"{summary['ran']} run now, all completed"
    )


def register(app: typer.Typer) -> None:
    """Add `split-backfill` to the CLI."""
    app.command(name="split-backfill")(split_backfill)
