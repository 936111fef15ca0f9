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
    _print_rows(rows)
    if gap_rows:
        _print_gaps(gap_rows)


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


def _print_gaps(rows: list[dict[str, Any]]) -> None:
    """Print each open gap: its edition and span, then the command that fills it, indented."""
    console.print(f"{len(rows)} open gap(s)")
    for row in rows:
        span = f"{_when(row['from'])} .. {_when(row['to'])} UTC"
        head = f"{row['edition']}: not covered {span} (found {_when(row['found_at'])} UTC)"
        console.print(head, soft_wrap=True, highlight=False, markup=False)
        console.print(
            f"  fill it with: {row['command']}", soft_wrap=True, highlight=False, markup=False
        )


def _print_rows(rows: list[dict[str, Any]]) -> None:
    """Print each failure as its URL on a line of its own (never wrapped), then what
    happened, indented: readable at 80 columns and through a pipe."""
    console.print(f"{len(rows)} failed URL(s)" + ("" if rows else ": no failures"))
    for row in rows:
        attempts = f"{row['attempts']} attempt" + ("" if row["attempts"] == 1 else "s")
        facts = (row["kind"], row["stage"], row["reason"] or "-", row["retry"], attempts)
        times = f"last {_when(row['last_attempt_at'])}, next {_when(row['next_attempt_at'])} UTC"
        console.print(row["url"], soft_wrap=True, highlight=False, markup=False)
        line = f"  {' · '.join(map(str, facts))}; {times}"
        console.print(line, soft_wrap=True, highlight=False, markup=False)


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def register(app: typer.Typer) -> None:
    """Add the `failures` command to the CLI."""
    app.command()(failures)
