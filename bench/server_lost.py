"""Benchmark: a backfill whose Prefect server is killed mid-run, then the same command again.

    python -m bench.server_lost [--stories 2000] [--from 2025-11-13] [--to 2025-11-19]
                                [--kill-at 0.5] [--ctrl-c SECONDS]

Against a replica (a process of its own) and a Prefect server of its own (`prefect server
start` on a free port, its `PREFECT_HOME` in a temporary folder), a `backfill` reporting to
that server is started; once it has stored `--kill-at` of the range's articles, the server is
killed (SIGKILL; with `--ctrl-c`, the command gets a Ctrl-C that many seconds later). Printed:
the seconds from the kill (or the Ctrl-C) to the command's end, its exit code and stderr lines,
what it stored, the article pages in its WARC archive that are not stored, processes left in
its session. Then the server is started again on the same port and state, the same command
runs again, and the benchmark prints what it fetched (and how much of it the first run had
already fetched), the articles stored (each once?), those without a story or waiting for
linking, and the state of each flow run. The machine's load average is printed with it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from bench.pipeline import start_replica
from unn_ingest.flows.cli.local_server import free_port
from unn_ingest.flows.fetch.archive import read_archive

KYIV = ZoneInfo("Europe/Kyiv")


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    """Start a Prefect server on `port` with its state in `home`; wait until it answers."""
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
    log = (home.parent / f"server-{port}-{time.time():.0f}.log").open("w")
    server = subprocess.Popen(
        [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while not healthy(f"http://127.0.0.1:{port}/api"):
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the Prefect server did not start")
        time.sleep(0.5)
    return server


def healthy(api: str) -> bool:
    try:
        return httpx.get(api + "/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def backfill(api: str, data: Path, origin: str, span: tuple[str, str]) -> subprocess.Popen[str]:
    """Start `unn-ingest backfill` over the span, reporting to `api`, in a session of its own."""
    env = {**os.environ, "UNN_INGEST_DATA_DIR": str(data), "PREFECT_API_URL": api}
    env.pop("PREFECT_HOME", None)
    command = [sys.executable, "-m", "unn_ingest", "backfill", "--json", "--origin", origin]
    return subprocess.Popen(
        [*command, "--from", span[0], "--to", span[1]], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def rows(data: Path, sql: str) -> list[Any]:
    try:
        with sqlite3.connect(data / "unn-ingest.sqlite3", timeout=2) as db:
            return [row[0] for row in db.execute(sql)]
    except sqlite3.Error:
        return []


def archived(data: Path, truth: set[str], skip: Collection[str] = ()) -> list[str]:
    """Return the article URLs in the archive's responses (not in the files `skip` names)."""
    pages = read_archive(data / "warc")
    return [p.requested_url for p in pages if p.requested_url in truth and _file(p.ref) not in skip]


def _file(ref: str) -> str:
    return ref.rsplit(":", 1)[0]


def left_in_session(sid: int) -> list[str]:
    found = subprocess.run(["ps", "-o", "pid=,args=", "-s", str(sid)], capture_output=True)
    return found.stdout.decode().splitlines()


def flow_runs(api: str) -> list[dict[str, Any]]:
    runs = httpx.post(api + "/flow_runs/filter", json={}, timeout=30).json()
    return [
        {"state": r["state_type"], "message": (r.get("state") or {}).get("message")} for r in runs
    ]


def in_span(article: dict[str, Any], start: date, end: date) -> bool:
    day = datetime.fromisoformat(article["published_at"]).astimezone(KYIV).date()
    return start <= day <= end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--from", dest="start", default="2025-11-13")
    parser.add_argument("--to", dest="end", default="2025-11-19")
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of the range stored")
    parser.add_argument("--ctrl-c", type=float, default=None, help="Ctrl-C this long after")
    args = parser.parse_args()
    replica, origin = start_replica(args.stories)
    root = Path(tempfile.mkdtemp(prefix="bench-server-lost-"))
    home, data, port = root / "prefect", root / "data", free_port()
    home.mkdir()
    server = start_server(home, port)
    api = f"http://127.0.0.1:{port}/api"
    try:
        articles = httpx.get(origin + "/__truth__", timeout=120).json()["articles"]
        span = (date.fromisoformat(args.start), date.fromisoformat(args.end))
        truth = {a["url"] for a in articles if in_span(a, *span)}
        print("load average", os.getloadavg(), f"; {len(truth)} articles in the range")
        run = backfill(api, data, origin, (args.start, args.end))
        while len(rows(data, "SELECT url FROM article")) < args.kill_at * len(truth):
            if run.poll() is not None:
                raise SystemExit("the backfill ended before the server was killed")
            time.sleep(0.2)
        at_kill = len(rows(data, "SELECT url FROM article"))
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        if args.ctrl_c is not None:
            time.sleep(args.ctrl_c)
            os.killpg(run.pid, signal.SIGINT)
        since = time.monotonic()
        _, errors = run.communicate(timeout=600)
        took = time.monotonic() - since
        time.sleep(2)  # the workers notice their parent's end within a second
        stored = set(rows(data, "SELECT url FROM article"))
        first = archived(data, truth)
        print(json.dumps({
            "seconds_to_end": round(took, 1), "exit": run.returncode,
            "stderr": [line for line in errors.splitlines() if line.strip()],
            "stored_at_kill": at_kill, "stored_at_end": len(stored),
            "archived": len(first), "archived_not_stored": len(set(first) - stored),
            "left_in_session": left_in_session(run.pid),
        }, indent=1))  # fmt: skip
        files = {p.name for p in (data / "warc").iterdir()}
        server = start_server(home, port)
        again = backfill(api, data, origin, (args.start, args.end))
        since = time.monotonic()
        _, errors = again.communicate(timeout=1800)
        urls = rows(data, "SELECT url FROM article")
        fetched = archived(data, truth, files)
        print(json.dumps({
            "rerun_exit": again.returncode, "rerun_seconds": round(time.monotonic() - since, 1),
            "stored": len(urls), "distinct": len(set(urls)), "missing": len(truth - set(urls)),
            "rerun_fetched": len(fetched), "fetched_again": len(set(fetched) & set(first)),
            "without_story": rows(data, "SELECT count(*) FROM article WHERE story_id IS NULL")[0],
            "waiting_for_linking": rows(data, "SELECT count(*) FROM article WHERE link_pending")[0],
            "flow_runs": flow_runs(api),
        }, indent=1))  # fmt: skip
        print("load average", os.getloadavg())
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        replica.terminate()


if __name__ == "__main__":
    main()
