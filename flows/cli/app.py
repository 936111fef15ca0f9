"""The `unn-ingest` command line: run, backfill, serve, read, export, demo, probe, eval.

Heavy modules (Prefect, trafilatura) are imported inside the commands, so `--help` is quick,
and Prefect's environment defaults are set before Prefect is first imported.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from unn_ingest.flows.cli.options import (
    DataDir,
    Db,
    Editions,
    JsonOut,
    Origin,
    console,
    err,
    parse_editions,
    prepare_environment,
    print_json,
    user_errors,
)
from unn_ingest.flows.orchestrator import prefect_errors

app = typer.Typer(
    name="unn-ingest",
    help="Ingest the uk/en/ru editions of UNN news, link the editions of each story, store them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def run(
    edition: Editions = "uk,en,ru",
    origin: Origin = None,
    db: Db = None,
    data_dir: DataDir = None,
    json_out: JsonOut = False,
) -> None:
    """Run the `ingest` flow once: what is new or changed in the feeds and first listing pages."""
    editions = parse_editions(edition)
    with user_errors(), prefect_errors():
        from unn_ingest.flows.ingest import ingest
        from unn_ingest.flows.runtime import preflight, resolve_settings

        preflight(resolve_settings(origin=origin, db_url=db, data_dir=data_dir))
        summary = asyncio.run(ingest(editions, origin, db, _str(data_dir)))
    _print_summary(summary, json_out)


@app.command()
def backfill(
    date_from: Annotated[str, typer.Option("--from", help="First local date, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last local date, YYYY-MM-DD (inclusive).")],
    edition: Editions = "uk,en,ru",
    refetch: Annotated[bool, typer.Option(help="Re-fetch articles already stored.")] = False,
    origin: Origin = None,
    db: Db = None,
    data_dir: DataDir = None,
    json_out: JsonOut = False,
) -> None:
    """Run the `backfill` flow over a range of the site's local dates (Europe/Kyiv)."""
    start, end = _parse_date(date_from, "--from"), _parse_date(date_to, "--to")
    if end < start:
        raise typer.BadParameter("--to is before --from")
    editions = parse_editions(edition)
    with user_errors(), prefect_errors(), _progress_bar(not json_out):
        from unn_ingest.flows.ingest import backfill as backfill_flow
        from unn_ingest.flows.runtime import preflight, resolve_settings

        preflight(resolve_settings(origin=origin, db_url=db, data_dir=data_dir))
        summary = asyncio.run(
            backfill_flow(start, end, editions, origin, db, _str(data_dir), refetch)
        )
    _print_summary(summary, json_out)


@app.command()
def serve(
    cron: Annotated[
        str | None, typer.Option(help="Cron for ingest runs (default */10 * * * *).")
    ] = None,
    edition: Editions = "uk,en,ru",
    origin: Origin = None,
    db: Db = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the `ingest` flow on a schedule; watch runs in the Prefect UI."""
    prepare_environment(quiet=False)
    with user_errors(), prefect_errors():
        from unn_ingest.flows.ingest import ingest
        from unn_ingest.flows.runtime import resolve_settings

        settings = resolve_settings(cron=cron)
        params = {"editions": parse_editions(edition), "origin": origin, "db_url": db}
        params["data_dir"] = _str(data_dir)
        console.print(f"serving ingest on cron [bold]{settings.cron}[/bold]; Ctrl-C stops")
        ingest.serve(name="ingest-scheduled", cron=settings.cron, parameters=params)


def _str(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def _parse_date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{name} must be a date as YYYY-MM-DD, not {value!r}") from None


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[None]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from unn_ingest.flows.report import set_progress_hook

    if not enabled:
        yield
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
    ) as bar:
        tasks: dict[str, Any] = {}

        def hook(what: str, advance: int, total: int | None) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            if total is not None:
                bar.update(tasks[what], total=total)
            bar.update(tasks[what], advance=advance)

        set_progress_hook(hook)
        try:
            yield
        finally:
            set_progress_hook(None)


def _print_summary(summary: dict[str, Any], json_out: bool) -> None:
    """Print a run's summary; exit 1 when the site gave nothing at all (offline, blocked)."""
    if json_out:
        print_json(summary)
    else:
        from unn_ingest.flows.cli.views import summary_table

        console.print(summary_table(summary))
    totals = summary["editions"]["total"]
    if summary["failures"] and not totals["discovered"] and not totals["fetched"]:
        err.print("[red]error:[/red] nothing could be read from the site; see the failures above")
        raise typer.Exit(1)


def _register_subcommands() -> None:
    from unn_ingest.flows.cli.alerts import alerts_app
    from unn_ingest.flows.cli.demo import register as register_demo
    from unn_ingest.flows.cli.evaluate import eval_app
    from unn_ingest.flows.cli.probe import register as register_probe
    from unn_ingest.flows.cli.read import register as register_read
    from unn_ingest.replica.cli import replica_app

    app.add_typer(alerts_app, name="alerts", help="Alerts: Prefect automations for failing runs.")
    register_read(app)
    register_demo(app)
    register_probe(app)
    app.add_typer(eval_app, name="eval", help="Measure extraction, language and linking quality.")
    app.add_typer(replica_app, name="replica", help="The local replica of unn.ua.")


def main() -> None:
    """Run the command line."""
    prepare_environment()
    _register_subcommands()
    app()


Command = Callable[..., None]
