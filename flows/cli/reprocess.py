"""`unn-ingest reprocess`: rebuild records from the raw archive, without the site."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from unn_ingest.flows.cli.options import (
    DataDir,
    DateFrom,
    DateTo,
    Db,
    JsonOut,
    Origin,
    console,
    fail,
    note,
    parse_date,
    parse_editions,
    print_json,
    user_errors,
)


def reprocess(
    date_from: DateFrom = None,
    date_to: DateTo = None,
    edition: Annotated[
        str | None, typer.Option("--edition", "-e", help="Comma-separated editions: uk,en,ru.")
    ] = None,
    origin: Origin = None,
    db: Db = None,
    data_dir: DataDir = None,
    json_out: JsonOut = False,
) -> None:
    """Re-extract the archived pages (data dir's warc/) offline and update what changed."""
    start = parse_date(date_from, "--from") if date_from else None
    end = parse_date(date_to, "--to") if date_to else None
    editions = parse_editions(edition) if edition else None
    with user_errors():
        from unn_ingest.flows.cli.app import run_faults
        from unn_ingest.flows.cli.prefect_server import prefect_api
        from unn_ingest.flows.preflight import preflight
        from unn_ingest.flows.reprocess import reprocess as reprocess_flow
        from unn_ingest.flows.runtime import resolve_settings

        settings = resolve_settings(origin=origin, db_url=db, data_dir=data_dir)
        archive = settings.data_dir / "warc"
        if not archive.is_dir():  # before anything is created: no empty database left
            fail(f"no archive at {archive}: nothing to reprocess (check --data-dir)")
        preflight(settings, fetching=False)
        with prefect_api(settings.data_dir) as api, run_faults(settings):
            api.wait()  # Prefect's state in the data directory
            summary = asyncio.run(
                reprocess_flow(
                    start, end, editions, db, str(data_dir) if data_dir else None, origin
                )
            )
    _print(summary, json_out, settings.origin)


def _print(summary: dict[str, Any], json_out: bool, origin: str | None) -> None:
    archive = summary["archive"]
    others = archive.get("other_origins") or {}
    if not archive["pages"] and others:
        found = ", ".join(f"{count} of {site}" for site, count in others.items())
        note(
            f"no archived pages of {origin or 'https://unn.ua'} (the archive holds {found}); "
            "set UNN_INGEST_ORIGIN or --origin to the site they were fetched from"
        )
    if json_out:
        print_json(summary)
        return
    from unn_ingest.flows.cli.views import failure_lines, link_debt_lines, summary_table

    console.print(summary_table(summary))
    lines = [
        f"{archive['pages']} archived pages, {archive['articles']} articles, "
        f"{len(summary['changed'])} changed, {archive['damaged']} damaged span(s) skipped",
        *failure_lines(summary),
        *link_debt_lines(summary),
    ]
    if archive.get("unreadable_articles"):
        lines.append(
            f"{archive['unreadable_articles']} articles without a readable archived page "
            "(listed by `unn-ingest failures`; fetching them again replaces them)"
        )
    for line in lines:
        console.print(line, soft_wrap=True, highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    """Add the `reprocess` command to the CLI."""
    app.command()(reprocess)
