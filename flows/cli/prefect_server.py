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

    def __init__(self, server: LocalServer | None) -> None:
        self.server = server
        self.url: str | None = None
        self.settings_before: Any = None  # Prefect's settings before PREFECT_API_URL was set

    def wait(self) -> str | None:
        """Return the API's URL: the configured one, else the local server's once it is up.

        None when Prefect's temporary servers are disabled (Prefect then decides).
        """
        if self.url is not None or self.server is None:
            return self.url or configured_api()
        configured = configured_api()  # a prefect.toml or .env may name one
        if configured or not _ephemeral_allowed():
            self.server.stop()
            self.server = None
            return configured
        timeout = max(STARTUP_SECONDS, float(os.environ.get(TIMEOUT_SETTING) or 0))
        self.server.wait_ready(timeout)
        self.url = self.server.api_url
        self._point_prefect_at(self.url)
        return self.url

    def _point_prefect_at(self, url: str) -> None:
        import prefect.context
        from prefect.context import refresh_global_settings_context

        self.settings_before = prefect.context.GLOBAL_SETTINGS_CONTEXT
        os.environ["PREFECT_API_URL"] = url  # for every thread, subprocess and Prefect service
        refresh_global_settings_context()


def _ephemeral_allowed() -> bool:
    from prefect.settings import PREFECT_SERVER_ALLOW_EPHEMERAL_MODE

    return bool(PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value())


@contextmanager
def prefect_api(data_dir: Path | None = None, ui_port: int | None = None) -> Iterator[PrefectApi]:
    """Yield the Prefect API this command reports to: the configured one, else a local server
    of its own, started now (in its own session) and stopped when the command ends.

    `ui_port`: the server also serves Prefect's UI and runs its services (what `serve` needs)
    on this port. Call `wait()` before the first use of the API.
    """
    if quickly_configured():
        yield PrefectApi(None)
        return
    home = home_environment(data_dir if data_dir is not None else data_dir_setting())
    before = {name: os.environ.get(name) for name in (*home, "PREFECT_API_URL")}
    os.environ.update(home)
    state = _home()
    state.mkdir(parents=True, exist_ok=True)
    server = LocalServer(ui_port or free_port(), ui=ui_port is not None)
    if ui_port is None:  # `serve` says more about its server itself
        _say(f"starting Prefect's local server (its state: {state_folder(state)}/) …")
    server.start()
    api = PrefectApi(server)
    terminated = _terminate_as_interrupt()
    try:
        yield api
    finally:
        if api.url is not None:
            _drain_prefect_clients()
        server.stop()
        _restore(before, api.settings_before)
        if terminated is not None:
            signal.signal(signal.SIGTERM, terminated)


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
