"""Prefect's temporary server for one command, which ends when that command is gone.

    python -m unn_ingest.flows.cli.server_child PID [--held] UVICORN-ARGUMENTS...

runs uvicorn as `python -m uvicorn` would, on Prefect's app built once beforehand
(`prepare_app`). `--held`: build it (most of its start-up, which writes nothing), then wait
for a line `go` on standard input before serving: the command starts it before it has checked
its settings, and lets it go once they are good (at end of input, it exits without having
served or written anything).

The server runs in a session of its own (so that a terminal's Ctrl-C leaves it to the
command, which stops it), so a command killed with SIGKILL would leave it running for good:
it watches the command's process `PID` and, once that is gone, stops as on SIGTERM (and
exits within `GRACE_SECONDS` in any case).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from typing import Any

from unn_ingest.flows.lifetime import when_gone

GRACE_SECONDS = 15.0
HELD = "--held"
GO = "go"


def stop_server() -> None:
    """Stop this server as `kill` would, then for good if it has not ended in time."""
    os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown
    time.sleep(GRACE_SECONDS)
    os._exit(1)


def main() -> None:
    """Watch the command's process, then hand the rest of the arguments to uvicorn."""
    command_pid, arguments = int(sys.argv[1]), sys.argv[2:]
    when_gone(command_pid, stop_server)
    gc.disable()  # while Prefect's server is imported and built: `prepare_app`
    import uvicorn.main

    held = arguments[:1] == [HELD]
    arguments = arguments[1:] if held else arguments
    prepare_app()
    gc.freeze()  # what the start built lives as long as the server: never scanned again
    gc.enable()
    if held and sys.stdin.readline().strip() != GO:
        return
    sys.argv = ["uvicorn", *arguments]
    uvicorn.main.main()


def prepare_app() -> None:
    """Import Prefect's server and build its app, which uvicorn's factory call then reuses;
    nothing is written. (`main` pauses Python's cyclic garbage collector meanwhile: the
    import creates some 450,000 objects, which it would otherwise scan again and again, for
    a fifth of the start's CPU.)

    Prefect caches the app by its settings, but each call of `create_app()` still configures
    logging again (a YAML file read and every setting rendered: 0.1 to 0.2 s of CPU each), and
    uvicorn's factory and the services that start with the server (automations' actions, which
    call the API in-process) call it three times between the release and the first answer. In
    this process the settings never change, so a call without arguments, which asks for "the
    running server's app", gets the one built here.
    """
    from prefect.server.api import server

    build = server.create_app
    app = build()

    def create_app(
        settings: Any = None,
        ephemeral: bool = False,
        webserver_only: bool = False,
        final: bool = False,
        ignore_cache: bool = False,
    ) -> Any:
        if settings is None and not (ephemeral or webserver_only or final or ignore_cache):
            return app
        return build(settings, ephemeral, webserver_only, final, ignore_cache)

    server.create_app = create_app  # where uvicorn's factory and Prefect's clients look it up


if __name__ == "__main__":
    main()
