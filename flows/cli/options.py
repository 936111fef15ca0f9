"""Options, output and error handling shared by every `unn-ingest` command."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from typer._click.core import Command, Context

# Typer 0.29 ships its own copy of click; its usage errors are these classes.
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer._click.globals import get_current_context
from typer.core import TyperGroup, TyperOption

from unn_ingest.extractors import clock
from unn_ingest.extractors.clock import ClockSpecError
from unn_ingest.flows.errors import (
    CANCELLED_IN_PREFECT,
    INTERRUPTED_MESSAGE,
    RESUME,
    SERVER_LOST,
)

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


def _flag_type(self: TyperOption, ctx: Context) -> str | None:
    return None if self.is_flag else _option_type(self, ctx)


# A flag takes no value: its help shows no `<bool>` (Typer 0.29 shows one for every option).
_option_type = TyperOption.display_type_rich
TyperOption.display_type_rich = _flag_type  # type: ignore[method-assign]


def prepare_environment(quiet: bool = True) -> None:
    """Set Prefect defaults (no telemetry, quiet console) unless the user set them."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")  # Prefect's client telemetry (flows/__init__.py)
    # A temporary local server can take longer than Prefect's 20 s to start on a busy machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    if quiet:  # the terminal shows warnings; the flow run's logs (the UI) get INFO and above
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")


USAGE, RUNTIME, INTERRUPTED = 2, 1, 130  # exit codes; 0 is success
CANCELLED_MESSAGE = f"{CANCELLED_IN_PREFECT}: {RESUME}"
EDITIONS = ("uk", "en", "ru")
# A range of the site's local publish dates, as `export` and `reprocess` take it.
DateFrom = Annotated[
    str | None, typer.Option("--from", help="First local publish date, YYYY-MM-DD (Kyiv).")
]
DateTo = Annotated[
    str | None,
    typer.Option("--to", help="Last local publish date, YYYY-MM-DD (Kyiv, inclusive)."),
]


def say_error(message: str) -> None:
    """Print one error line on stderr (never wrapped, never read as markup)."""
    err.print(f"[red]error:[/red] {escape(one_line(message))}", soft_wrap=True, highlight=False)


def note(message: str) -> None:
    """Print one note on stderr: input that did little or nothing, said so."""
    err.print(f"[yellow]note:[/yellow] {escape(message)}", soft_wrap=True, highlight=False)


def fail(message: str, code: int = RUNTIME) -> NoReturn:
    """Print one error line and exit with `code` (1 runtime, 2 usage)."""
    say_error(message)
    raise typer.Exit(code)


def usage(message: str) -> NoReturn:
    """Reject what the user typed: one line, exit code 2."""
    raise UsageError(message, get_current_context(silent=True))


def one_line(message: str) -> str:
    """Return a message on one line (driver and validation messages span several)."""
    return "; ".join(line.strip() for line in str(message).splitlines() if line.strip())


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn known errors into one red line on stderr, never a traceback.

    Exit codes: 2 for what the user typed or configured (settings, profile, database URL),
    1 for what went wrong at run time (site unreachable, database down), 130 for a stop.
    """
    from pydantic import ValidationError

    from unn_ingest.config import ProfileError, SettingsError
    from unn_ingest.config.checks import settings_error_line
    from unn_ingest.extractors.clock import ClockSpecError
    from unn_ingest.flows.errors import ConfigError, IngestError, RunStopped
    from unn_ingest.replica import ReplicaExtraMissingError
    from unn_ingest.storage import StorageError
    from unn_ingest.storage.errors import SchemaBehindError, StorageConfigError

    try:
        yield
    except RunStopped as exc:
        if str(exc).startswith(SERVER_LOST):  # a fault: the run could not report its work
            _server_lost()
        if str(exc).startswith(CANCELLED_IN_PREFECT):  # the UI's Cancel, not Ctrl-C
            err.print(CANCELLED_MESSAGE, soft_wrap=True)
        else:
            err.print(INTERRUPTED_MESSAGE, soft_wrap=True)
        raise typer.Exit(INTERRUPTED) from None
    except ValidationError as exc:
        fail(settings_error_line(exc), USAGE)
    except (ConfigError, ProfileError, SettingsError, ClockSpecError) as exc:
        fail(str(exc), USAGE)
    except (StorageConfigError, SchemaBehindError) as exc:
        fail(str(exc), USAGE)
    except BrokenPipeError:
        reader_gone()
    except (IngestError, StorageError, ReplicaExtraMissingError, ValueError, OSError) as exc:
        fail(str(exc) or type(exc).__name__, RUNTIME)
    except KeyboardInterrupt:
        err.print(INTERRUPTED_MESSAGE, soft_wrap=True)
        raise typer.Exit(INTERRUPTED) from None
    except BaseException as exc:
        if not _terminated(exc):
            raise
        err.print(INTERRUPTED_MESSAGE, soft_wrap=True)  # SIGTERM: Prefect's stop of a run
        raise typer.Exit(INTERRUPTED) from None


def reader_gone() -> NoReturn:
    """End quietly with exit 0 when the reader of stdout has gone (`export | head -1`).

    What is left to write goes nowhere (see `silence_stdout`).
    """
    silence_stdout()
    raise typer.Exit(0)


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not report a closed pipe."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _server_lost() -> NoReturn:
    """Say that the Prefect server went away, and exit 1 at once: Prefect's own exit would
    go on trying to send it the run's last events."""
    from unn_ingest.flows.server_watch import configured_api, server_lost_message

    say_error(server_lost_message(configured_api() or "PREFECT_API_URL"))
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(RUNTIME)


def _terminated(exc: BaseException) -> bool:
    """Tell whether an error is Prefect's report of a SIGTERM (a stop, like Ctrl-C)."""
    if "prefect" not in sys.modules:
        return False
    from prefect.exceptions import TerminationSignal

    return isinstance(exc, TerminationSignal)


def parse_editions(value: str) -> list[str]:
    """Return the edition codes of a comma-separated option, checked."""
    codes = [c.strip() for c in value.split(",") if c.strip()]
    bad = [c for c in codes if c not in EDITIONS]
    if bad or not codes:
        usage(f"unknown edition(s) {', '.join(bad) or '(none)'}; use uk,en,ru")
    return codes


def parse_date(value: str, name: str) -> date:
    """Return an option's date, or reject it in one line."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        usage(f"{name} must be a date as YYYY-MM-DD, not {value!r}")


def site_zone() -> ZoneInfo:
    """Return the site's time zone, from the site profile of the settings."""
    from unn_ingest.config import Settings, load_profile

    with user_errors():
        return ZoneInfo(load_profile(Settings().profile).time_zone)


def site_today() -> date:
    """Return today's date on the site's clock (the profile's time zone)."""

    return clock.now().astimezone(site_zone()).date()


def existing_database(db: str | None, data_dir: Path | None) -> str:
    """Return the database URL a read command opens; a missing SQLite file is an error.

    Reading never creates a database or a folder: a mistyped path says so instead of
    showing an empty store.
    """
    from unn_ingest.config import Settings  # not the pipeline's: a read needs no HTTP stack

    chosen = {k: v for k, v in (("db_url", db), ("data_dir", data_dir)) if v is not None}
    with user_errors():
        url = Settings(**chosen).database_url()  # type: ignore[arg-type]
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        hint = "--db" if db else "--data-dir"
        fail(f"no database at {path}: nothing was stored there (check {hint})")
    return url


def sqlite_path(url: str) -> Path | None:
    """Return the file of a SQLite URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def version() -> str:
    """Return the installed package's version."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("unn-ingest")
    except PackageNotFoundError:
        return "unknown"


class OneLineErrors(TyperGroup):
    """The top command: a usage error is one line on stderr with exit code 2 (no usage box),
    and the process exits with the command's code (0, 1 runtime, 2 usage, 130 interrupted).
    Every command's help ends with examples (flows/cli/examples.py)."""

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        from unn_ingest.flows.cli.examples import with_examples

        command = super().get_command(ctx, cmd_name)
        return with_examples(command, [cmd_name]) if command is not None else None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except NoArgsIsHelpError as exc:
            exc.show()
            code = 0
        except UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "unn-ingest"
            say_error(f"{exc.format_message()} (see '{where} --help')")
            code = USAGE
        except ClickException as exc:
            say_error(exc.format_message())
            code = exc.exit_code
        except typer.Abort:
            err.print(INTERRUPTED_MESSAGE, soft_wrap=True)
            code = INTERRUPTED
        except BrokenPipeError:  # printing a table to a reader that has gone
            silence_stdout()
            code = 0
        except ClockSpecError as exc:  # UNN_INGEST_CLOCK read outside a command's checks
            say_error(str(exc))
            code = USAGE
        sys.exit(code if isinstance(code, int) else 0)


def print_json(data: Any) -> None:
    """Print data as JSON on stdout; times as the export writes them (2025-11-20T09:46:00Z)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=json_value) + "\n")


def json_value(value: Any) -> Any:
    """Return what JSON shows for a value it has no type for: instants in UTC, ending in Z."""
    if isinstance(value, datetime):
        return clock.format_utc(value if value.tzinfo else value.replace(tzinfo=UTC))
    return str(value)
