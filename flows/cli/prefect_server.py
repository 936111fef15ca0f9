"""The Prefect server a command reports to: the one configured, else a local one of its own.

Without `PREFECT_API_URL`, Prefect would start a temporary server as a child in the terminal's
process group, so a Ctrl-C would kill it together with the command, and the client would then
spend about a minute failing to report the end of the run. Started here instead
(`local_server.py`), in a session of its own, the server sees no Ctrl-C: the run reports that
it was cancelled, then the server stops.

Prefect's state (its SQLite database of runs, logs and artifacts) is kept under the data
directory, `<data dir>/prefect/` (`PREFECT_HOME`), unless `PREFECT_HOME` or a configured
`PREFECT_API_URL` say otherwise: nothing is written to `~/.prefect`, the runs of every command
stay visible to `serve`'s UI, and a database that already exists spares the server Prefect's
migrations. The server starts while the command imports and checks what it needs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from unn_ingest.flows.cli.local_server import STARTUP_SECONDS, LocalServer, free_port, state_folder
from unn_ingest.flows.cli.server_record import forget_server, record_server, running_server

PREFECT_FOLDER = "prefect"  # Prefect's home under the data directory
DEFAULT_HOME = Path("~/.prefect")
TIMEOUT_SETTING = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"


def configured_api() -> str | None:
    """Return the Prefect API URL the user configured (environment or profile), if any."""
    from prefect.settings import PREFECT_API_URL

    value = PREFECT_API_URL.value()
    return str(value) if value else None


def quickly_configured() -> bool:
    """Tell whether a Prefect API is configured, without importing Prefect when it is not
    imported yet: `PREFECT_API_URL` in the environment or in the active Prefect profile.

    A miss (an API named in a prefect.toml or .env) is caught later by `configured_api`.
    """
    if os.environ.get("PREFECT_API_URL"):
        return True
    if "prefect" in sys.modules:
        return configured_api() is not None
    return profile_setting("PREFECT_API_URL") is not None


def profile_setting(name: str) -> str | None:
    """Return a setting of the active Prefect profile (profiles.toml), if it sets it."""
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or _home() / "profiles.toml")
    try:
        data = tomllib.loads(path.expanduser().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    value = data.get("profiles", {}).get(active, {}).get(name)
    return str(value) if value else None


def _home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or DEFAULT_HOME).expanduser()


def home_environment(data_dir: Path) -> dict[str, str]:
    """Return the environment that keeps Prefect's state under the data directory
    (`PREFECT_HOME`), the user's Prefect profiles and logging configuration left where they
    are. Empty when `PREFECT_HOME` is set."""
    if os.environ.get("PREFECT_HOME"):
        return {}
    env = {"PREFECT_HOME": str((data_dir / PREFECT_FOLDER).resolve())}
    home = DEFAULT_HOME.expanduser()
    kept = (
        ("PREFECT_PROFILES_PATH", "profiles.toml"),
        ("PREFECT_LOGGING_CONFIG_PATH", "logging.yml"),
    )
    for setting, name in kept:
        if setting not in os.environ and (home / name).is_file():
            env[setting] = str(home / name)
    return env


class PrefectApi:
    """The Prefect API a command reports to; `wait()` returns it once it answers."""

    def __init__(self, server: LocalServer | None, home: Path | None = None) -> None:
        self.server = server
        self.home = home  # Prefect's home for the local server's state
        self.url: str | None = None
        self.shared = False  # the server `serve` runs for the same data directory
        self.settings_before: Any = None  # Prefect's settings before PREFECT_API_URL was set

    def release(self) -> None:
        """Let the local server serve (the command's checks have passed): start it, or let
        go the one started held, which has imported and prepared meanwhile."""
        if self.server is None or (self.server.process is not None and not self.server.held):
            return
        self._make_home()
        if not self.server.ui and self.home is not None:  # `serve` says more itself
            _say(f"starting Prefect's local server (its state: {state_folder(self.home)}/) …")
        if self.server.process is None:
            self.server.start()
        else:
            self.server.release()

    def wait(self) -> str | None:
        """Return the API's URL: the configured one, else the local server's once it is up.

        None when Prefect's temporary servers are disabled (Prefect then decides).
        """
        if self.url is not None or self.server is None:
            return self.url or configured_api()
        self._make_home()  # before Prefect is imported, which wants it
        configured = configured_api()  # a prefect.toml or .env may name one
        if configured or not _ephemeral_allowed():
            self.server.stop()
            self.server = None
            return configured
        self.release()
        timeout = max(STARTUP_SECONDS, float(os.environ.get(TIMEOUT_SETTING) or 0))
        self.server.wait_ready(timeout)
        self.point_prefect_at(self.server.api_url)
        if self.server.ui and self.home is not None:  # `serve`'s: other commands report there
            assert self.server.process is not None
            record_server(self.home, self.server.api_url, self.server.process.pid)
        return self.url

    def point_prefect_at(self, url: str) -> None:
        """Make this process (its threads, subprocesses and Prefect's services) report to `url`."""
        import prefect.context
        from prefect.context import refresh_global_settings_context

        self.url = url
        self.settings_before = prefect.context.GLOBAL_SETTINGS_CONTEXT
        os.environ["PREFECT_API_URL"] = url
        refresh_global_settings_context()

    def close(self) -> None:
        """Stop the local server, after its last logs and events (and its record, if any)."""
        if self.url is not None:
            _drain_prefect_clients()
        if self.server is None:
            return
        if self.server.ui and self.home is not None:
            forget_server(self.home)
        self.server.stop()

    def _make_home(self) -> None:
        if self.home is not None:
            self.home.mkdir(parents=True, exist_ok=True)


def _ephemeral_allowed() -> bool:
    from prefect.settings import PREFECT_SERVER_ALLOW_EPHEMERAL_MODE

    return bool(PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value())


@contextmanager
def prefect_api(data_dir: Path | None = None, ui_port: int | None = None) -> Iterator[PrefectApi]:
    """Yield the Prefect API this command reports to: the configured one, else the server
    `serve` runs for the same data directory, else a local server of its own (in its own
    session, stopped when the command ends).

    The local server starts when the command calls `release()` (once its checks have passed)
    or `wait()`; when Prefect's home already exists, it is started at once, held: it imports
    and prepares while the command checks its settings, and serves only once released.
    `ui_port`: the server also serves Prefect's UI and runs its services (what `serve`
    needs) on this port, and is recorded for other commands. Call `wait()` before the first
    use of the API.
    """
    if quickly_configured():
        yield PrefectApi(None)
        return
    home = home_environment(data_dir if data_dir is not None else data_dir_setting())
    before = {name: os.environ.get(name) for name in (*home, "PREFECT_API_URL")}
    os.environ.update(home)
    state = _home()
    api = _local_api(state, ui_port)
    terminated = _terminate_as_interrupt()
    try:
        yield api
    finally:
        api.close()
        _restore(before, api.settings_before)
        if terminated is not None:
            signal.signal(signal.SIGTERM, terminated)


def _local_api(home: Path, ui_port: int | None) -> PrefectApi:
    """Return the API of `serve`'s server for this home, else of a server of this command's
    (started held when the home exists: a first run's checks leave nothing behind)."""
    shared = running_server(home) if ui_port is None else None
    if shared is not None:
        _say(f"reporting to the Prefect server of `unn-ingest serve` at {shared} …")
        api = PrefectApi(None, home)
        api.shared = True
        api.point_prefect_at(shared)
        return api
    api = PrefectApi(LocalServer(ui_port or free_port(), ui=ui_port is not None), home)
    if ui_port is not None:  # `serve` has checked its settings; Prefect wants its home
        api._make_home()
    if home.is_dir():  # said once released: a mistake in the settings stays one line
        assert api.server is not None
        api.server.start(held=True)
    return api


def data_dir_setting() -> Path:
    """Return the data directory the settings name (read alone: the rest is checked later)."""
    from unn_ingest.config import Settings

    default: Path = Settings.model_fields["data_dir"].default
    return Path(os.environ.get("UNN_INGEST_DATA_DIR") or default)


def _say(line: str) -> None:
    from unn_ingest.flows.cli.options import err

    err.print(line, style="dim", soft_wrap=True, highlight=False, markup=False)


def _restore(environment: dict[str, str | None], settings: Any) -> None:
    """Put back the environment and Prefect's settings as they were (a caller's own, e.g. a
    test harness's, not rebuilt)."""
    for name, value in environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if settings is not None:
        import prefect.context

        prefect.context.GLOBAL_SETTINGS_CONTEXT = settings


def _terminate_as_interrupt() -> Any:
    """Make SIGTERM stop the command as Ctrl-C does, so the server it started is stopped too.

    Return the previous handler (None when not in the main thread, where handlers live).
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(*_: Any) -> None:
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # a background job's: stop anyway
        raise KeyboardInterrupt
    signal.raise_signal(signal.SIGINT)  # asyncio's handler, inside asyncio.run


def _drain_prefect_clients(timeout: float = 5.0) -> None:
    """Let Prefect's background workers send their last logs and events to the server."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=timeout)
