"""The `unn-ingest` command line: run, backfill, serve, read, export, demo, probe, eval.

Heavy modules (Prefect, trafilatura) are imported inside the commands, so `--help` is quick,
and Prefect's environment defaults are set before Prefect is first imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, cast

import typer

from unn_ingest.flows.cli.options import (
    DataDir,
    Db,
    Editions,
    JsonOut,
    OneLineErrors,
    Origin,
    console,
    err,
    fail,
    note,
    parse_date,
    parse_editions,
    prepare_environment,
    print_json,
    site_today,
    usage,
    user_errors,
    version,
)
from unn_ingest.flows.orchestrator import prefect_errors

app = typer.Typer(
    name="unn-ingest",
    cls=OneLineErrors,
    help="Ingest the uk/en/ru editions of UNN news, link the editions of each story, store them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"unn-ingest {version()}")
        raise typer.Exit()


@app.callback()
def _top(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Ingest the uk/en/ru editions of UNN news, link the editions of each story, store them."""


@app.command()
def run(
    edition: Editions = "uk,en,ru",
    origin: Origin = None,
    db: Db = None,
    data_dir: DataDir = None,
    json_out: JsonOut = False,
) -> None:
    """Run the `ingest` flow once: what is new or changed since the last run (feeds, then
    listing pages back to what it covered, within the catch-up horizon)."""
    editions = parse_editions(edition)

    def start() -> Coroutine[Any, Any, dict[str, Any]]:
        from unn_ingest.flows.ingest import ingest

        return ingest(editions, origin, db, _str(data_dir))

    summary = _run_flow(origin, db, data_dir, json_out, start)
    _print_summary(summary, json_out)
    gaps: list[dict[str, Any]] = cast(list[dict[str, Any]], summary.get("gaps") or [])
    for gap in gaps:  # a pause longer than the catch-up horizon
        span = f"{gap['edition']} {gap['from']}..{gap['to']}"
        line = f"[yellow]gap:[/yellow] {span} not covered; fill it with: {gap['command']}"
        err.print(line, soft_wrap=True, highlight=False)


@app.command()
def backfill(
    date_from: Annotated[str, typer.Option("--from", help="First local date, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="Last local date, YYYY-MM-DD (inclusive).")],
    edition: Editions = "uk,en,ru",
    refetch: Annotated[
        bool,
        typer.Option(
            help="Ask the site again for every stored article of the range (conditional GETs)."
        ),
    ] = False,
    origin: Origin = None,
    db: Db = None,
    data_dir: DataDir = None,
    json_out: JsonOut = False,
) -> None:
    """Run the `backfill` flow over a range of the site's local dates (Europe/Kyiv)."""
    start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if end < start:
        usage(f"--to {end} is before --from {start}")
    today = site_today()
    if start > today:
        usage(f"--from {start} is in the future (today is {today} in Kyiv): nothing to backfill")
    if end > today:
        note(f"--to {end} is in the future; the range ends today, {today} (Kyiv)")
    editions = parse_editions(edition)

    def start_backfill() -> Coroutine[Any, Any, dict[str, Any]]:
        from unn_ingest.flows.ingest import backfill as backfill_flow

        return backfill_flow(start, end, editions, origin, db, _str(data_dir), refetch)

    summary = _run_flow(origin, db, data_dir, json_out, start_backfill)
    if _nothing_listed(summary):
        note(f"the site listed no articles from {start} to {end}; nothing was fetched")
    _print_summary(summary, json_out)
    unread = summary.get("unread_pages")
    if isinstance(unread, list) and unread:  # the range is not covered: a re-run fills the gaps
        err.print(f"[yellow]incomplete:[/yellow] {len(unread)} listing pages could not be read")
        raise typer.Exit(3)


# Set by `main`: the command runs in a process of its own (see `_run_flow`).
_OWN_PROCESS = threading.Event()

# What a flow's run imports, imported while Prefect's server starts instead of after it answers:
# the flows, and what Prefect imports at a flow's first call (its engines; its graph drawing,
# which each call checks for).
WHILE_THE_SERVER_STARTS = (
    "unn_ingest.flows.ingest",
    "prefect.flow_engine",
    "prefect.task_engine",
    "prefect.utilities.visualization",
    "unn_ingest.flows.cli.faults",
    "unn_ingest.flows.cli.logfile",
)


def _run_flow(
    origin: str | None,
    db: str | None,
    data_dir: Path | None,
    json_out: bool,
    start: Callable[[], Coroutine[Any, Any, dict[str, Any]]],
) -> dict[str, Any]:
    """Run a flow as `run` and `backfill` do: Prefect's server prepares while the settings are
    checked, serves once they pass, and the flow (imported while it starts) runs with its
    faults on one line and its progress on stderr; return the flow's summary.

    Python's cyclic garbage collector is paused until the flow starts: the imports create
    some 300,000 objects, which it would otherwise scan again and again (a seventh of their
    CPU); they live as long as the command, so they are then left out of its scans for good
    (when the command has its process to itself: not in a test's, whose garbage would stay).
    """
    gc.disable()
    try:
        with _prefect(data_dir) as api:
            settings = checked_settings(origin, db, data_dir)  # before anything serves or writes
            api.release()
            with user_errors(), prefect_errors():
                for module in WHILE_THE_SERVER_STARTS:
                    importlib.import_module(module)
                api.wait()
                if _OWN_PROCESS.is_set():
                    gc.freeze()
                gc.enable()
                with run_faults(settings), _progress_bar(not json_out):
                    return asyncio.run(start())
    finally:
        gc.enable()


def checked_settings(origin: str | None, db: str | None, data_dir: Path | None) -> Any:
    """Return a run's settings once its settings, profile, database, data folder and site are
    checked: a mistake is one line, before Prefect starts and before anything is written."""
    with user_errors(), _checking():
        from unn_ingest.flows.preflight import preflight
        from unn_ingest.flows.runtime import resolve_settings

        settings = resolve_settings(origin=origin, db_url=db, data_dir=data_dir)
        preflight(settings)
    return settings


CHECKING = "checking the settings, the database and the site …"


@contextmanager
def _checking(stream: Any = None) -> Iterator[None]:
    """On a terminal, say at once what a run's first second goes to (the checks import the
    store and ask the site), and erase the line when they end: a mistake stays one line, and
    piped output gets nothing."""
    stream = stream or sys.stderr
    shown = stream.isatty()
    if shown:
        stream.write(CHECKING)
        stream.flush()
    try:
        yield
    finally:
        if shown:
            stream.write("\r\x1b[K")
            stream.flush()


@contextmanager
def run_faults(settings: Any) -> Iterator[None]:
    """Around a run: its tracebacks go to the data folder's log file, and a resource fault
    (disk, folder, database) ends it with one line."""
    from unn_ingest.flows.cli.faults import resource_faults
    from unn_ingest.flows.cli.logfile import tracebacks_to_file

    with tracebacks_to_file(settings.data_dir) as log_file, resource_faults(settings, log_file):
        yield


def _str(path: Path | None) -> str | None:
    return str(path) if path is not None else None


@contextmanager
def _prefect(data_dir: Path | None) -> Iterator[Any]:
    """Yield the Prefect API (`prefect_server.prefect_api`): a local server of the command's,
    when none is configured, starts held (first, so that it prepares while the command imports
    and checks the rest) and serves once `release()`d; `wait()` returns the API."""
    from unn_ingest.flows.cli.prefect_server import prefect_api

    with ExitStack() as stack:
        try:
            api = stack.enter_context(prefect_api(data_dir))
        except OSError as exc:  # before user_errors(), whose imports the server need not wait for
            fail(f"Prefect's local server could not be started: {exc}")
        yield api


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[None]:
    """Show the run's progress on stderr: listing pages read, then article pages fetched
    against those planned, with the rate, the time elapsed and the time left."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    from unn_ingest.flows.report import set_progress_hook

    class Rate(ProgressColumn):
        """Pages per second since the task started."""

        def render(self, task: Any) -> Text:
            seconds = task.finished_time if task.finished else task.elapsed
            rate = task.completed / seconds if seconds and task.completed else None
            return Text(f"{rate:5.1f}/s" if rate else "    -/s", style="progress.data.speed")

    if not enabled:
        yield
        return
    columns = (TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), Rate())
    elapsed = (TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"))
    with Progress(*columns, *elapsed, TimeRemainingColumn(), console=err) as bar:
        tasks: dict[str, Any] = {}

        def hook(what: str, advance: int, total: int | None) -> None:
            if what not in tasks:
                if what == "pages":  # the listings are read: their counts and rates stand
                    for task in bar.tasks:
                        bar.update(task.id, total=task.completed)
                tasks[what] = bar.add_task(what, total=total)
            if total is not None:
                bar.update(tasks[what], total=total)
            bar.update(tasks[what], advance=advance)

        set_progress_hook(hook)
        try:
            yield
        finally:
            set_progress_hook(None)


def _nothing_listed(summary: dict[str, Any]) -> bool:
    return not summary["editions"]["total"]["discovered"] and not summary["failures"]


COUNTER_MEANINGS = (
    "discovered: listed by feeds and listing pages; fetched: article pages downloaded; "
    "new/updated/unchanged: what storing them did; linked: joined to another edition's story; "
    "removed: stored articles the site took down (404/410, kept and marked); moved: stored "
    "articles whose URL redirects to a new slug; failed: listed below"
)


def _print_summary(summary: dict[str, Any], json_out: bool) -> None:
    """Print a run's summary and its failures; exit 1 when the site gave nothing at all."""
    failures = summary["failures"]
    if json_out:
        print_json(summary)
    else:
        from unn_ingest.flows.cli.views import failure_lines, link_debt_lines, summary_table

        console.print(summary_table(summary))
        console.print(COUNTER_MEANINGS, soft_wrap=True, highlight=False, markup=False)
        for line in [*failure_lines(summary), *link_debt_lines(summary)]:
            console.print(line, soft_wrap=True, highlight=False, markup=False)
    totals = summary["editions"]["total"]
    if failures and not totals["discovered"] and not totals["fetched"]:
        first = failures[0]
        fail(f"nothing could be read from the site: {first['url']}: {first['reason']}")


def _register_subcommands() -> None:
    from unn_ingest.flows.cli.alerts import alerts_app
    from unn_ingest.flows.cli.db import db_app
    from unn_ingest.flows.cli.demo import register as register_demo
    from unn_ingest.flows.cli.evaluate import eval_app
    from unn_ingest.flows.cli.failures import register as register_failures
    from unn_ingest.flows.cli.health import register as register_health
    from unn_ingest.flows.cli.probe import register as register_probe
    from unn_ingest.flows.cli.read import register as register_read
    from unn_ingest.flows.cli.reprocess import register as register_reprocess
    from unn_ingest.flows.cli.serve import register as register_serve
    from unn_ingest.flows.cli.settings_view import register as register_config
    from unn_ingest.flows.cli.split import register as register_split
    from unn_ingest.replica.cli import replica_app

    register_serve(app)
    app.add_typer(alerts_app, name="alerts", help="Alerts: Prefect automations for failing runs.")
    register_read(app)
    register_failures(app)
    register_health(app)
    register_reprocess(app)
    register_demo(app)
    register_probe(app)
    register_split(app)
    register_config(app)
    app.add_typer(eval_app, name="eval", help="Measure extraction, language and linking quality.")
    app.add_typer(replica_app, name="replica", help="The local replica of unn.ua.")
    app.add_typer(db_app, name="db", help="The database's schema: current revision, upgrade.")


def main() -> None:
    """Run the command line."""
    _OWN_PROCESS.set()
    prepare_environment()
    _register_subcommands()
    try:
        app()
    except SystemExit as stop:
        if "prefect" in sys.modules:  # tearing its modules down costs about 1 s of CPU
            _exit_at_once(stop.code)
        raise


def _exit_at_once(code: Any) -> NoReturn:
    """Exit as the interpreter would, less the teardown of its modules: the other threads
    joined, the exit handlers run (Prefect's, logging's, multiprocessing's), output flushed."""
    import atexit
    import os

    # What the interpreter does first at exit: stop the idle executors' threads, then join
    # every other thread that is not a daemon (a bare join would wait for idle executors).
    getattr(threading, "_shutdown")()  # noqa: B009 (private: typeshed does not declare it)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone, a stream closed
            stream.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


Command = Callable[..., None]
