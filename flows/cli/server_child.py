"""Prefect's temporary server for one command, which ends when that command is gone.

    python -m unn_ingest.flows.cli.server_child PID [--held] UVICORN-ARGUMENTS...

runs uvicorn as `python -m uvicorn` would. `--held`: import Prefect's server and build its app
(most of its start-up, which writes nothing), then wait for a line `go` on standard input
before serving: the command starts it before it has checked its settings, and lets it go
once they are good (at end of input, it exits without having served or written anything).

The server runs in a session of its own (so that a terminal's Ctrl-C leaves it to the
command, which stops it), so a command killed with SIGKILL would leave it running for good:
it watches the command's process `PID` and, once that is gone, stops as on SIGTERM (and
exits within `GRACE_SECONDS` in any case).
"""

from __future__ import annotations

import os
import signal
import sys
import time

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
    import uvicorn.main

    if arguments[:1] == [HELD]:
        arguments = arguments[1:]
        prepare_app()
        if sys.stdin.readline().strip() != GO:
            return
    sys.argv = ["uvicorn", *arguments]
    uvicorn.main.main()


def prepare_app() -> None:
    """Import Prefect's server and build its app, which uvicorn's factory call then reuses
    (Prefect caches it by settings); nothing is written."""
    from prefect.server.api.server import create_app

    create_app()


if __name__ == "__main__":
    main()
