"""Options, output and error handling shared by every `unn-ingest` command."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)

Origin = Annotated[
    str | None,
    typer.Option(
        "--origin", envvar="UNN_INGEST_ORIGIN", help="Site origin (default https://unn.ua)."
    ),
]
Db = Annotated[
    str | None,
    typer.Option(
        "--db", envvar="UNN_INGEST_DB_URL", help="Database URL (default SQLite in data dir)."
    ),
]
DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="UNN_INGEST_DATA_DIR", help="Data folder (default ./data)."),
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")]
Editions = Annotated[
    str, typer.Option("--edition", "-e", help="Comma-separated editions: uk,en,ru.")
]


def prepare_environment(quiet: bool = True) -> None:
    """Set Prefect defaults (no telemetry, quiet console) unless the user set them."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # A temporary local server can take longer than Prefect's 20 s to start on a busy machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if quiet:  # the terminal shows warnings; the flow run's logs (the UI) get INFO and above
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn known errors into one red line and exit code 2, never a traceback."""
    from unn_ingest.config import ProfileError
    from unn_ingest.flows.errors import IngestError
    from unn_ingest.storage import StorageError

    try:
        yield
    except (IngestError, StorageError, ProfileError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted: what was stored stays stored; run the same command to resume")
        raise typer.Exit(130) from None


def parse_editions(value: str) -> list[str]:
    """Return the edition codes of a comma-separated option, checked."""
    codes = [c.strip() for c in value.split(",") if c.strip()]
    bad = [c for c in codes if c not in ("uk", "en", "ru")]
    if bad or not codes:
        raise typer.BadParameter(f"unknown edition(s) {', '.join(bad) or '(none)'}; use uk,en,ru")
    return codes


def print_json(data: Any) -> None:
    """Print data as JSON on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
