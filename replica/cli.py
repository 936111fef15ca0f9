"""The `replica` command group: `unn-ingest replica serve` (also `python -m replica serve`)."""

from __future__ import annotations

import threading
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unn_ingest.replica import ReplicaExtraMissingError
from unn_ingest.replica.clock import Clock, ClockError, format_instant, parse_instant
from unn_ingest.replica.faults import FaultError, FaultPlan
from unn_ingest.replica.live import LivePlan, Outage
from unn_ingest.replica.site import CatalogueLike, ReplicaSite

if TYPE_CHECKING:
    from unn_ingest.replica.server import ReplicaServer


class StoriesSource(StrEnum):
    """Which real-text stories the catalogue adds to the hand-written and generated ones."""

    none = "none"
    ntrex = "ntrex"


replica_app = typer.Typer(help="Run the local replica of unn.ua.", no_args_is_help=True)


@replica_app.callback()
def _group() -> None:
    """Run the local replica of unn.ua (loopback HTTP server with ground truth and faults)."""


@replica_app.command()
def serve(
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="TCP port (0: any free port).")
    ] = 8765,
    host: Annotated[str, typer.Option(help="Interface to bind (keep it loopback).")] = "127.0.0.1",
    seed: Annotated[int, typer.Option(help="Catalogue and markup seed.")] = 1,
    stories: Annotated[
        int, typer.Option(min=0, help="Generated stories besides the hand-written.")
    ] = 300,
    faults: Annotated[
        str, typer.Option(help="none, flaky, hostile, NAME or NAME:RATE[,NAME:RATE].")
    ] = "none",
    start: Annotated[str | None, typer.Option(help="Initial clock, ISO 8601 (UTC).")] = None,
    latency_ms: Annotated[float, typer.Option(min=0, help="Delay of the latency fault.")] = 300.0,
    layout: Annotated[
        str, typer.Option(help="Article markup: a (the first) or b (independent second).")
    ] = "a",
    stories_source: Annotated[
        StoriesSource,
        typer.Option(help="Add real-text stories: ntrex (shared data's ntrex-128) or none."),
    ] = StoriesSource.none,
    clock_speed: Annotated[
        float | None,
        typer.Option(help="Run the clock at this many times real time (default: frozen)."),
    ] = None,
    live_days: Annotated[
        int, typer.Option(help="Spread the generated stories over this many days after start.")
    ] = 0,
    removed_share: Annotated[
        float, typer.Option(help="Share of articles unpublished (404/410) after publication.")
    ] = 0.0,
    moved_share: Annotated[
        float, typer.Option(help="Share of articles moved to a new slug (301) after publication.")
    ] = 0.0,
    outage: Annotated[
        list[str] | None,
        typer.Option(help="Site down over START/END[:503|:refused] (replica time; repeatable)."),
    ] = None,
) -> None:
    """Serve the replica until Ctrl-C."""
    try:
        from unn_ingest.replica.server import ReplicaServer
    except ReplicaExtraMissingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    try:
        plan = FaultPlan.from_profile(faults, latency_ms=latency_ms)
        initial = parse_instant(start) if start else None
        ReplicaSite.check_layout(layout)
        live = LivePlan(removed_share, moved_share, tuple(Outage.parse(o) for o in outage or ()))
        if clock_speed is not None and clock_speed <= 0:
            raise ClockError(f"--clock-speed must be positive, got {clock_speed:g}")
        catalogue = _catalogue(seed, stories, initial, stories_source, live_days)
    except (FaultError, ClockError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    site = ReplicaSite(catalogue, plan, layout, live)
    if clock_speed is not None:
        site.clock = Clock(site.now(), clock_speed)
    server = ReplicaServer(site, host=host, port=port)
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        typer.echo(f"error: cannot serve on {host}:{port}: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(server.base_url)
    typer.echo(summary(site))
    _wait_for_interrupt(server)


def _catalogue(
    seed: int, generated: int, start: datetime | None, source: StoriesSource, live_days: int = 0
) -> CatalogueLike:
    """Build the catalogue (imported late: the CLI's help must not pay for it)."""
    from unn_ingest.replica.catalogue import build_catalogue

    ntrex = _ntrex_folder() if source is StoriesSource.ntrex else None
    catalogue: CatalogueLike = build_catalogue(
        seed=seed, generated=generated, start=start, ntrex=ntrex, live_days=live_days
    )
    return catalogue


def _ntrex_folder() -> Path:
    """Return the shared data's NTREX folder (the pipeline's `data_dir()` finds it)."""
    from unn_ingest.flows.evaluation.datasets import data_dir
    from unn_ingest.replica.stories.ntrex import FOLDER

    return data_dir() / FOLDER


def summary(site: ReplicaSite) -> str:
    """Return the one-line summary printed at start-up."""
    articles = sum(len(entries) for entries in site.index.by_edition.values())
    visible = sum(len(v) for v in site.context().snapshot.visible.values())
    return (
        f"seed {site.seed}: {len(site.index.stories)} stories, {articles} articles "
        f"({visible} visible at {format_instant(site.now())}); "
        f"layout {site.layout}; faults: {site.faults.plan.name}; {_clock_note(site)}Ctrl-C to stop"
    )


def _clock_note(site: ReplicaSite) -> str:
    """Say how to give the pipeline the replica's running clock (nothing for a frozen one)."""
    if site.clock.speed is None:
        return ""
    return f"clock x{site.clock.speed:g}: UNN_INGEST_CLOCK='{site.clock.spec()}'; "


def _wait_for_interrupt(server: ReplicaServer) -> None:
    """Block until Ctrl-C, then stop the server without a traceback."""
    stop = threading.Event()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        typer.echo("stopping")
    finally:
        server.stop()
