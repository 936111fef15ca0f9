"""`unn-ingest serve`: the `ingest` flow on a schedule, its runs watched in Prefect's UI.

With no Prefect server configured (`PREFECT_API_URL`, a Prefect profile), `serve` brings its
own: Prefect's server, its services (the scheduler) and its UI on 127.0.0.1:4200 (or the next
free port, or `--ui-port`), its state under `<data dir>/prefect/`, so the runs, their logs and
artifacts and the 30-day trend are still there after a restart. Its first line is the UI's
address. Ctrl-C stops the schedule (Prefect pauses it) and then the server: nothing is left
running. After a `serve` that was killed, the runs it missed are skipped but the latest
(`missed_runs.py`); while it runs, other commands on the same data directory report to its
server (`server_record.py`). A configured server is used instead, as a production setup
does (docs/scale.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from unn_ingest.flows.cli.options import (
    USAGE,
    DataDir,
    Db,
    Editions,
    Origin,
    console,
    fail,
    parse_editions,
    prepare_environment,
    usage,
    user_errors,
)
from unn_ingest.flows.orchestrator import prefect_errors

DEPLOYMENT = "ingest-scheduled"


def register(app: typer.Typer) -> None:
    """Add `serve` to the command line."""
    app.command()(serve)


def serve(
    cron: Annotated[
        str | None, typer.Option(help="Cron for ingest runs, in UTC (default */10 * * * *).")
    ] = None,
    edition: Editions = "uk,en,ru",
    origin: Origin = None,
    db: Db = None,
    data_dir: DataDir = None,
    ui_port: Annotated[
        int | None,
        typer.Option(
            "--ui-port",
            help="Port of Prefect's UI when serve starts its own server (default 4200 or the "
            "next free one).",
        ),
    ] = None,
    replica: Annotated[
        bool,
        typer.Option("--replica", help="Serve against the local replica of unn.ua, started here."),
    ] = False,
) -> None:
    """Serve the `ingest` flow on a schedule; watch its runs in the Prefect UI.

    With no Prefect server configured, it starts its own, with the UI, and stops it on Ctrl-C.
    """
    prepare_environment(quiet=False)
    editions = parse_editions(edition)
    _check_settings(cron, origin, data_dir, replica)  # before the server: nothing left behind
    with (
        _prefect_ui(data_dir, ui_port) as wait_for_prefect,  # first: its address, at once
        user_errors(),
        prefect_errors(),
        _site(origin, replica) as site,  # the replica is built while the server starts
    ):
        from unn_ingest.config import Settings

        chosen = {k: v for k, v in (("cron", cron), ("data_dir", data_dir)) if v is not None}
        settings = Settings(**chosen)  # type: ignore[arg-type]
        params: dict[str, Any] = {"editions": editions, "origin": site, "db_url": db}
        params["data_dir"] = str(settings.data_dir.resolve())  # runs start in other folders
        wait_for_prefect()
        _say(f"serving ingest on cron {settings.cron} (UTC); Ctrl-C stops")
        _serve_ingest(settings.cron, params)
    _say("stopped: the schedule is paused; run the same command to resume it")


REPLICA_SPEED = 30.0  # `--replica`: an hour of the site's news every two minutes
REPLICA_LIVE_DAYS = 2  # ...for an hour and a half of real time
CRON_NICKNAMES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly")


def _check_settings(
    cron: str | None, origin: str | None, data_dir: Path | None, replica: bool
) -> None:
    """Check the settings `serve` schedules runs with (their ranges, the pacing of a public
    origin, the cron expression) before it starts anything: a mistake is one line, exit 2."""
    with user_errors():
        from unn_ingest.config import Settings

        chosen = (("cron", cron), ("origin", origin), ("data_dir", data_dir))
        settings = Settings(**{k: v for k, v in chosen if v is not None})  # type: ignore[arg-type]
        if not replica:
            settings.pacing()  # the scheduled runs would refuse a public origin unpaced
        _check_cron(settings.cron)


def _check_cron(cron: str) -> None:
    from cronsim import CronSim, CronSimError

    if cron.strip().lower() in CRON_NICKNAMES:
        return
    try:
        CronSim(cron, datetime(2025, 1, 1))
    except CronSimError:
        usage(f"--cron / UNN_INGEST_CRON {cron!r} is not a cron expression, e.g. '*/10 * * * *'")


@contextmanager
def _site(origin: str | None, replica: bool) -> Iterator[str | None]:
    """Yield the origin the runs fetch from: the local replica's when asked for.

    The replica then goes on publishing (its clock runs REPLICA_SPEED times faster than real
    time over REPLICA_LIVE_DAYS of new stories), and the runs take its clock for theirs
    (`UNN_INGEST_CLOCK`): each scheduled run finds what was published since the last, and the
    catch-up measures its horizon against the site's day, not today's.
    """
    if not replica:
        yield origin
        return
    from unn_ingest.extractors import clock
    from unn_ingest.replica.catalogue import build_catalogue
    from unn_ingest.replica.clock import Clock
    from unn_ingest.replica.server import ReplicaServer
    from unn_ingest.replica.site import ReplicaSite

    site = ReplicaSite(build_catalogue(live_days=REPLICA_LIVE_DAYS))
    site.clock = Clock(site.now(), REPLICA_SPEED)
    os.environ[clock.CLOCK_VARIABLE] = site.clock.spec()  # for the runs' processes
    clock.set_clock(clock.parse_clock(site.clock.spec()))
    with ReplicaServer(site) as server:
        _say(
            f"replica of unn.ua serving at {server.base_url}, its clock at "
            f"{site.now():%Y-%m-%d %H:%M} UTC running {REPLICA_SPEED:g}x"
        )
        yield server.base_url


@contextmanager
def _prefect_ui(data_dir: Path | None, wanted_port: int | None) -> Iterator[Callable[[], None]]:
    """Print the UI's address first; start Prefect's server with its UI when none is
    configured (stopped at the end); yield what waits for the server to be up."""
    from unn_ingest.flows.cli.local_server import state_folder, ui_port
    from unn_ingest.flows.cli.prefect_server import (
        PREFECT_FOLDER,
        data_dir_setting,
        prefect_api,
        quickly_configured,
    )
    from unn_ingest.flows.errors import ConfigError

    if quickly_configured():
        _say(f"Prefect UI: {_configured_ui()}")
        yield lambda: None
        return
    try:
        port = ui_port(wanted_port)
    except ConfigError as exc:
        fail(str(exc), USAGE)
    state = state_folder((data_dir or data_dir_setting()) / PREFECT_FOLDER)
    _say(f"Prefect UI: http://127.0.0.1:{port} (Prefect's server, starting; its state: {state}/)")
    with ExitStack() as stack:
        try:
            api = stack.enter_context(prefect_api(data_dir, ui_port=port))
        except OSError as exc:
            fail(f"Prefect's local server could not be started: {exc}")

        def wait() -> None:
            api.wait()
            if api.server is None:  # a server configured in a prefect.toml or .env after all
                _say(f"Prefect UI: {_configured_ui()} (the configured server)")

        yield wait


def _configured_ui() -> str:
    from prefect.settings import PREFECT_UI_URL

    return str(PREFECT_UI_URL.value())


def _serve_ingest(cron: str, parameters: dict[str, Any]) -> None:
    """Register the schedule and run what it triggers, one run at a time, until Ctrl-C.

    This is what `ingest.serve()` does, but with Ctrl-C handled as Prefect's runner handles
    SIGTERM (cancel the runs in flight, pause the schedule, return): under `flow.serve`, the
    first Ctrl-C only cancelled a task and left the runner polling.
    """
    import asyncio
    import signal

    from prefect.runner import Runner

    from unn_ingest.flows.ingest import ingest

    runner = Runner(name=DEPLOYMENT, limit=1)  # pauses the schedule when it stops
    deployment_id = runner.add_flow(ingest, name=DEPLOYMENT, cron=cron, parameters=parameters)
    _skip_missed(deployment_id)
    previous = signal.signal(signal.SIGINT, lambda *_: runner.handle_sigterm())
    try:
        asyncio.run(runner.start())
    finally:
        signal.signal(signal.SIGINT, previous)


def _skip_missed(deployment_id: Any) -> None:
    """Skip the scheduled runs that fell due while `serve` was not running, but the latest."""
    from unn_ingest.flows.cli.missed_runs import skip_missed_runs

    skipped = skip_missed_runs(deployment_id)
    if skipped:
        _say(
            f"skipped {len(skipped)} scheduled runs missed while serve was not running (shown "
            "as Cancelled, 'Skipped'); the latest missed one runs now and catches up"
        )


def _say(line: str) -> None:
    console.print(line, soft_wrap=True, highlight=False, markup=False)
