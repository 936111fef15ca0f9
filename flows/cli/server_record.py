"""Which Prefect server `serve` runs for a data directory, so that other commands report there.

While `unn-ingest serve` runs its own Prefect server (no `PREFECT_API_URL`), it records the
server's address and process in `<Prefect home>/unn-ingest-server.json`; a `run`, `backfill`
or `reprocess` with the same data directory then reports to that server instead of starting a
second one on the same database (its runs appear in `serve`'s UI at once). `serve` removes
the record when it stops; a record left by a killed `serve` names a server that is gone (it
ends with its command), and is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import httpx

from unn_ingest.flows.lifetime import alive

RECORD = "unn-ingest-server.json"
HEALTH_SECONDS = 2.0


def record_server(home: Path, api_url: str, pid: int) -> Path:
    """Record that the server of process `pid` serves this Prefect home at `api_url`."""
    path = home / RECORD
    text = json.dumps({"api_url": api_url, "pid": pid, "command_pid": os.getpid()})
    partial = path.with_suffix(".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    partial.replace(path)  # a reader never sees half a record
    return path


def forget_server(home: Path) -> None:
    """Remove this command's record (a record another command wrote is left alone)."""
    path = home / RECORD
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if json.loads(path.read_text(encoding="utf-8")).get("command_pid") == os.getpid():
            path.unlink()


def running_server(home: Path) -> str | None:
    """Return the API address of the server `serve` runs for this Prefect home, when it is
    up and answers; None otherwise."""
    try:
        record = json.loads((home / RECORD).read_text(encoding="utf-8"))
        api_url, pid = str(record["api_url"]), int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not alive(pid):
        return None
    try:
        with httpx.Client(trust_env=False, timeout=HEALTH_SECONDS) as client:  # loopback
            healthy = client.get(f"{api_url}/health").status_code == 200
    except httpx.HTTPError:
        return None
    return api_url if healthy else None
