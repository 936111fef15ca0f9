"""`unn-ingest demo`: the whole pipeline against the local replica, nothing to configure."""

from __future__ import annotations

import asyncio
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from unn_ingest.flows.cli.options import console, site_zone, user_errors

if TYPE_CHECKING:
    from unn_ingest.storage import Store


LOOPBACK = "http://127.0.0.1"


def demo(
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Where the demo keeps its data.")
    ] = Path("data/demo"),
    stories: Annotated[int, typer.Option(min=0, help="Generated stories in the replica.")] = 800,
    seed: Annotated[int, typer.Option(help="The replica's seed.")] = 1,
    keep: Annotated[bool, typer.Option(help="Keep the previous demo database.")] = False,
) -> None:
    """Start the replica, run `ingest` and a 3-day `backfill` against it, print the stories."""
    if not keep and data_dir.exists():
        _clear(data_dir)
    with user_errors():
        from unn_ingest.flows.cli.prefect_server import prefect_api
        from unn_ingest.flows.preflight import preflight
        from unn_ingest.flows.runtime import resolve_settings

        # the replica's origin is known once it runs: on loopback, not paced
        preflight(resolve_settings(origin=LOOPBACK, data_dir=data_dir), fetching=False)
        with prefect_api(data_dir) as api:
            api.wait()
            _run_demo(data_dir, stories, seed)


def _clear(data_dir: Path) -> None:
    """Remove the previous demo's data, but not Prefect's state (its runs stay in its UI)."""
    from unn_ingest.flows.cli.prefect_server import PREFECT_FOLDER

    for entry in data_dir.iterdir():
        if entry.name == PREFECT_FOLDER:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _run_demo(data_dir: Path, stories: int, seed: int) -> None:
    from unn_ingest.flows.ingest import backfill, ingest
    from unn_ingest.replica.testing import running_replica

    started = time.monotonic()
    zone = site_zone()
    # The replica is on loopback, so it is not paced (config/settings.py: Settings.pacing).
    with running_replica(seed=seed, generated=stories) as server:
        origin = server.base_url
        now = server.site.now().astimezone(zone)
        console.print(
            f"replica of unn.ua serving at {origin} (seed {seed}, clock {now:%Y-%m-%d %H:%M} "
            f"{zone.key})"
        )
        console.print("[bold]1.[/bold] ingest: feeds and first listing pages of uk, en, ru …")
        first = asyncio.run(ingest(None, origin, None, str(data_dir)))
        console.print(_line(first))
        day_to = now.date()
        day_from = day_to - timedelta(days=2)
        console.print(f"[bold]2.[/bold] backfill {day_from} .. {day_to} …")
        second = asyncio.run(backfill(day_from, day_to, None, origin, None, str(data_dir)))
        console.print(_line(second))
        truth = [a for a in server.site.truth()["articles"] if _local_day(a, zone) >= day_from]
    from unn_ingest.flows.cli.read import open_store

    with open_store(None, data_dir) as store:
        _print_stored(store)
        console.print(_against_truth(store, truth))
    console.print(f"done in {time.monotonic() - started:.0f} s; data in {data_dir}/")


def _line(summary: dict[str, Any]) -> str:
    total = summary["editions"]["total"]
    failures = len(summary.get("failures", []))
    return (
        f"   discovered {total['discovered']}, fetched {total['fetched']}, new {total['new']}, "
        f"updated {total['updated']}, linked {total['linked']}, failed {failures}"
    )


def _print_stored(store: Store) -> None:
    from unn_ingest.flows.cli.views import stories_table

    console.print(_counts_table(store.counts(), store.link_method_counts()))
    console.print(stories_table(store.stories(limit=8), title="latest stories"))


def _local_day(article: dict[str, Any], zone: ZoneInfo) -> date:
    return datetime.fromisoformat(article["published_at"]).astimezone(zone).date()


def _against_truth(store: Store, truth: list[dict[str, Any]]) -> str:
    """Score what was stored against the replica's ground truth: coverage and story pairs."""
    from unn_ingest.flows.evaluation.linking import pairwise

    rows = list(store.iter_export(None, None))
    ids = {row["url"]: n for n, row in enumerate(rows)}
    known = [a for a in truth if a["url"] in ids]
    predicted = {ids[r["url"]]: r["story_id"] for r in rows}
    true = {ids[a["url"]]: a["story_id"] for a in known}
    score = pairwise(predicted, true, set(true))
    return (
        f"against the replica's ground truth: {len(known)} of the {len(truth)} articles of "
        f"those days stored; editions joined into stories with precision "
        f"{score['precision']:.3f}, recall {score['recall']:.3f} "
        f"({score['wrong_pairs']} wrong, {score['missed_pairs']} missed pairs)"
    )


def _counts_table(counts: dict[str, Any], methods: dict[str, int]) -> Table:
    table = Table(title="stored", title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("stories", str(counts.get("stories", 0)))
    for edition, n in sorted(counts.get("articles", {}).items()):
        table.add_row(f"articles ({edition})", str(n))
    for method, n in sorted(methods.items()):
        label = (
            "editions with no other edition" if method == "none" else f"editions joined by {method}"
        )
        table.add_row(label, str(n))
    return table


def register(app: typer.Typer) -> None:
    """Add the demo command to the CLI."""
    app.command()(demo)
