"""A Prefect server process on loopback that belongs to one command and ends with it.

It is Prefect's own server app (`prefect.server.api.server:create_app` under uvicorn, as
`prefect server start` runs it), started through `server_child`, which watches the command's
process: the server runs in a session of its own (a terminal's Ctrl-C reaches the command,
which stops the server after the run has reported), and still ends when the command is killed.

Starting it costs no import of Prefect's server in the command's process: the command goes on
with its own imports and checks while the server starts, and waits for it only when it needs it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from unn_ingest.flows.cli import server_child
from unn_ingest.flows.errors import ConfigError, IngestError

STARTUP_SECONDS = 120.0  # a loaded machine takes tens of seconds (Prefect's default is 20)
STOP_SECONDS = 10.0  # uvicorn's graceful stop; killed after it
UI_PORT = 4200  # Prefect's own default for its UI
UI_PORTS_TRIED = 100
PORT_IN_USE = 3  # uvicorn's exit code when it cannot bind


class ServerStartError(IngestError):
    """Prefect's local server did not start."""


@dataclass
class LocalServer:
    """One Prefect server on 127.0.0.1: an API only (a command's), or with its UI and
    services (what `serve` needs: the scheduler, late runs, automations)."""

    port: int
    ui: bool = False
    environment: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return the server's address (its UI, when it has one)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Return the address of the server's API (what PREFECT_API_URL names)."""
        return f"{self.url}/api"

    def start(self, held: bool = False) -> None:
        """Start the server process; return at once (`wait_ready` waits for it).

        `held`: it prepares (imports Prefect's server, builds its app) and waits for
        `release()` before it serves or writes anything (`stop()` ends it unreleased).
        """
        command = [sys.executable, "-m", "unn_ingest.flows.cli.server_child", str(os.getpid())]
        command += [server_child.HELD] if held else []
        command += ["--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        env = {**os.environ, **self.environment, **self._settings()}
        env.pop("PREFECT_API_URL", None)  # a server is not a client of another
        stdin = subprocess.PIPE if held else subprocess.DEVNULL
        self.process = subprocess.Popen(command, env=env, stdin=stdin, start_new_session=True)

    @property
    def held(self) -> bool:
        """Tell whether the server was started held and is not released yet."""
        return self.process is not None and self.process.stdin is not None

    def release(self) -> None:
        """Let a held server serve (nothing happens to one that is not held)."""
        assert self.process is not None, "start() first"
        pipe, self.process.stdin = self.process.stdin, None
        if pipe is None:
            return
        with contextlib.suppress(BrokenPipeError):  # it ended: wait_ready says why
            pipe.write(f"{server_child.GO}\n".encode())
            pipe.close()

    def _settings(self) -> dict[str, str]:
        settings = {
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT_SERVER_API_PORT": str(self.port),
        }
        settings["PREFECT__SERVER_FINAL"] = "1"
        if self.ui:  # Prefect's UI asks this address for its API
            return settings | {"PREFECT_UI_ENABLED": "1", "PREFECT_UI_API_URL": self.api_url}
        return settings | {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        """Wait until the server answers its health check (releasing it if held); restart it
        on another port when its port was taken meanwhile. Raise `ServerStartError` when it
        does not start."""
        self.release()
        deadline = time.monotonic() + timeout
        with httpx.Client(trust_env=False, timeout=5) as client:  # loopback: no proxy
            while time.monotonic() < deadline:
                if self._ended():
                    continue
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        self.stop()
        raise ServerStartError(f"Prefect's local server did not start within {timeout:.0f} s")

    def _ended(self) -> bool:
        """Tell whether the process ended (restarting it when its port was taken)."""
        assert self.process is not None, "start() first"
        code = self.process.poll()
        if code is None:
            return False
        if code != PORT_IN_USE or self.ui:  # the UI's port was printed: it does not move
            raise ServerStartError(f"Prefect's local server exited with code {code} at start")
        self.port = free_port()
        self.start()  # released at once: its predecessor was
        return True

    def stop(self) -> None:
        """Stop the server (gracefully, then for good); safe to call twice."""
        process, self.process = self.process, None
        if process is not None and process.stdin is not None:  # held: let it end unreleased
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port(host: str = "127.0.0.1") -> int:
    """Return a port free on loopback now (the system's choice)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    """Tell whether nothing listens on this loopback port."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def ui_port(wanted: int | None) -> int:
    """Return the UI's port: the one asked for (when free), else 4200 or the next free one."""
    if wanted is not None:
        if not port_is_free(wanted):
            raise ConfigError(f"port {wanted} is in use: choose another --ui-port")
        return wanted
    for port in range(UI_PORT, UI_PORT + UI_PORTS_TRIED):
        if port_is_free(port):
            return port
    raise ServerStartError(f"ports {UI_PORT}-{UI_PORT + UI_PORTS_TRIED - 1} are all in use")


def state_folder(home: Path) -> str:
    """Return how to show where the server keeps its state (relative when under the cwd)."""
    try:
        return str(home.relative_to(Path.cwd()))
    except ValueError:
        return str(home)
