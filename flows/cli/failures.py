"""`unn-ingest failures`: what failed, why, how often, and when it is tried next."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from unn_ingest.extractors import clock
from unn_ingest.flows.cli.options import (
    DataDir,
    Db,
    JsonOut,
    console,
    print_json,
    site_zone,
    user_errors,
)

SINCE_HELP = "Only failures last tried since: 2h, 3d, 2026-12-01 or 2026-12-01T10:00 (UTC)."
UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def failures(
    since: Annotated[str | None, typer.Option("--since", help=SINCE_HELP)] = None,
    db: Db = None,
    data_dir: DataDir = None,
    json_out: JsonOut = False,
) -> None:
    """List the URLs whose last fetch failed (reason, attempts, last and next attempt) and the
    open coverage gaps (spans no run listed, with the backfill command that fills them)."""
    from unn_ingest.flows.cli.read import open_store

    start = parse_since(since) if since else None
    with user_errors(), open_store(db, data_dir) as store:
        found = store.failures(start)
        gaps = store.gaps(start)
    rows = [failure_row(state) for state in found]
    gap_rows = [gap_row(g) for g in gaps]
    if json_out:
        print_json(rows + gap_rows)
        return
    console.print(_table(rows))
    if gap_rows:
        console.print(_gap_table(gap_rows))


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """Return the instant a --since value names: a duration back from now, or a UTC date/time."""
    match = re.fullmatch(r"(\d+)\s*([mhd])", value.strip())
    if match:
        amount = timedelta(**{UNITS[match.group(2)]: int(match.group(1))})
        return (now or clock.now()) - amount
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"--since must be like 2h, 3d or 2026-12-01, not {value!r}"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def failure_row(state: Any) -> dict[str, Any]:
    """Return one failed URL as the command prints it (and as its JSON carries it)."""
    return {
        "url": state.url,
        "kind": state.kind,
        "stage": state.stage or "fetch",
        "reason": state.last_error,
        "status": state.status,
        "retry": "transient" if state.transient in (True, None) else "permanent",
        "attempts": state.attempts,
        "last_attempt_at": state.last_fetched_at,
        "next_attempt_at": state.next_attempt_at,
    }


def gap_row(gap: Any) -> dict[str, Any]:
    """Return an open coverage gap as `failures` lists it (kind "gap", with its command)."""
    from unn_ingest.flows.freshness import CoverageGap, backfill_commands

    span = CoverageGap.spanning(gap.edition, gap.gap_from, gap.gap_to, site_zone())
    command = backfill_commands([span])[0]
    return {
        "url": None,
        "kind": "gap",
        "stage": "catch-up",
        "reason": f"not covered: {span.describe()}; fill it with: {command}",
        "edition": gap.edition,
        "from": gap.gap_from,
        "to": gap.gap_to,
        "found_at": gap.found_at,
        "command": command,
    }


def _gap_table(rows: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title=f"{len(rows)} open gap(s)", title_justify="left")
    for name in ("edition", "from (UTC)", "to (UTC)", "found (UTC)", "fill it with"):
        table.add_column(name, overflow="fold")
    for row in rows:
        when = (_when(row[k]) for k in ("from", "to", "found_at"))
        table.add_row(row["edition"], *when, row["command"])
    return table


def _table(rows: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title=f"{len(rows)} failed URL(s)", title_justify="left")
    for name in ("url", "kind", "stage", "reason", "retry", "attempts", "last (UTC)", "next (UTC)"):
        table.add_column(name, justify="right" if name == "attempts" else "left", overflow="fold")
    for row in rows:
        table.add_row(
            row["url"],
            row["kind"],
            row["stage"],
            row["reason"],
            row["retry"],
            str(row["attempts"]),
            _when(row["last_attempt_at"]),
            _when(row["next_attempt_at"]),
        )
    if not rows:
        table.caption = "no failures"
    return table


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def register(app: typer.Typer) -> None:
    """Add the `failures` command to the CLI."""
    app.command()(failures)
