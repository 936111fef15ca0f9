"""A temporary Prefect server for one command, in its own session, when no server is configured.

Without `PREFECT_API_URL`, Prefect starts a temporary server as a child in the terminal's
process group, so a Ctrl-C kills it together with the command, and the client then spends
about a minute failing to report the end of the run. Started here instead, in a session of its
own, the server sees no Ctrl-C: the run reports that it was cancelled, then the server stops.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

STARTUP_SECONDS = 120  # a loaded machine takes tens of seconds (Prefect's default is 20)


def configured_api() -> str | None:
    """Return the Prefect API URL the user configured (environment or profile), if any."""
    from prefect.settings import PREFECT_API_URL

    value = PREFECT_API_URL.value()
    return str(value) if value else None


@contextmanager
def prefect_api() -> Iterator[str | None]:
    """Yield the Prefect API this command reports to: the configured one, else a temporary
    server of its own (started in its own session, stopped when the command ends).

    Yields None when Prefect's temporary servers are disabled (Prefect then decides).
    """
    import prefect.context
    from prefect.context import refresh_global_settings_context
    from prefect.settings import (
        PREFECT_SERVER_ALLOW_EPHEMERAL_MODE,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
    )

    from unn_ingest.flows.errors import IngestError

    configured = configured_api()
    if configured or not PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value():
        yield configured
        return
    server = _session_server()
    timeout = max(STARTUP_SECONDS, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
    try:
        server.start(timeout=timeout)
    except BaseException as exc:  # a Ctrl-C while it starts, too: no server outlives us
        server.stop()
        if not isinstance(exc, RuntimeError):
            raise
        raise IngestError(
            f"Prefect's temporary server did not start within {timeout} s; start one "
            "(prefect server start) and set PREFECT_API_URL=http://127.0.0.1:4200/api"
        ) from None
    previous_settings = prefect.context.GLOBAL_SETTINGS_CONTEXT
    os.environ["PREFECT_API_URL"] = server.api_url  # for every thread and Prefect's services
    refresh_global_settings_context()
    terminated = _terminate_as_interrupt()
    try:
        yield server.api_url
    finally:
        _drain_prefect_clients()
        server.stop()
        os.environ.pop("PREFECT_API_URL", None)
        # the settings as they were (a caller's own, e.g. a test harness's), not rebuilt
        prefect.context.GLOBAL_SETTINGS_CONTEXT = previous_settings
        if terminated is not None:
            signal.signal(signal.SIGTERM, terminated)


def _terminate_as_interrupt() -> Any:
    """Make SIGTERM stop the command as Ctrl-C does, so the server it started is stopped too.

    Return the previous handler (None when not in the main thread, where handlers live).
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, lambda *_: signal.raise_signal(signal.SIGINT))


def _drain_prefect_clients(timeout: float = 5.0) -> None:
    """Let Prefect's background workers send their last logs and events to the server."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=timeout)


def _session_server() -> Any:
    import prefect
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class SessionServer(SubprocessASGIServer):
        """Prefect's temporary server (the same command), started in a new session."""

        # Prefect keeps one server per port in a registry shared by its subclasses: without a
        # registry of our own, `SessionServer()` would hand back (and later stop) a server
        # Prefect started for someone else, such as a test harness's.
        _instances: dict[int | None, SubprocessASGIServer] = {}  # noqa: RUF012

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            app_dir = str(prefect.__module_path__.parent)
            # It ends with this command even when the command is killed (server_child).
            command = [sys.executable, "-m", "unn_ingest.flows.cli.server_child", str(os.getpid())]
            command += ["--app-dir", app_dir, "--factory"]
            command += ["prefect.server.api.server:create_app", "--host", "127.0.0.1"]
            command += ["--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
            env = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
            env |= {"PREFECT__SERVER_FINAL": "1"}
            env |= get_current_settings().to_environment_variables(exclude_unset=True)
            output = _server_log(get_current_settings().home)
            try:  # its errors (and tracebacks) go to its log file, never to the terminal
                return subprocess.Popen(
                    command, env={**os.environ, **env}, start_new_session=True,
                    stdout=output, stderr=output,
                )  # fmt: skip
            finally:
                if output is not subprocess.DEVNULL:
                    output.close()

    return SessionServer()


SERVER_LOG = "unn-ingest-temporary-server.log"


def _server_log(home: Any) -> Any:
    """Open the temporary server's log file under PREFECT_HOME (else discard its output)."""
    try:
        folder = Path(home).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        return (folder / SERVER_LOG).open("ab")
    except OSError:
        return subprocess.DEVNULL
