"""`unn-ingest reprocess`: rebuild records from the raw archive, without the site."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

import typer

from unn_ingest.flows.cli.options import (
    DataDir,
    Db,
    JsonOut,
    Origin,
    console,
    parse_editions,
    print_json,
    user_errors,
)


def reprocess(
    date_from: Annotated[
        str | None, typer.Option("--from", help="First local publish date, YYYY-MM-DD.")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last local publish date.")] = None,
    edition: Annotated[
        str | None, typer.Option("--edition", "-e", help="Comma-separated editions: uk,en,ru.")
    ] = None,
    origin: Origin = None,
    db: Db = None,
    data_dir: DataDir = None,
    json_out: JsonOut = False,
) -> None:
    """Re-extract the archived pages (data dir's warc/) offline and update what changed."""
    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    editions = parse_editions(edition) if edition else None
    with user_errors():
        from unn_ingest.flows.cli.prefect_server import prefect_api
        from unn_ingest.flows.reprocess import reprocess as reprocess_flow
        from unn_ingest.flows.runtime import preflight, resolve_settings

        settings = resolve_settings(origin=origin, db_url=db, data_dir=data_dir)
        preflight(settings)
        if not (settings.data_dir / "warc").is_dir():
            raise ValueError(f"no archive at {settings.data_dir / 'warc'}: nothing to reprocess")
        with prefect_api(settings.data_dir) as api:  # Prefect's state in the data directory
            api.wait()
            summary = asyncio.run(
                reprocess_flow(
                    start, end, editions, db, str(data_dir) if data_dir else None, origin
                )
            )
    _print(summary, json_out)


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from None


def _print(summary: dict[str, Any], json_out: bool) -> None:
    if json_out:
        print_json(summary)
        return
    from unn_ingest.flows.cli.views import summary_table

    console.print(summary_table(summary))
    archive = summary["archive"]
    console.print(
        f"{archive['pages']} archived pages, {archive['articles']} articles, "
        f"{len(summary['changed'])} changed, {archive['damaged']} damaged record(s) skipped"
    )


def register(app: typer.Typer) -> None:
    """Add the `reprocess` command to the CLI."""
    app.command()(reprocess)
