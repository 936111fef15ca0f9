"""Bounded ends: a run whose Prefect server is gone, or that was interrupted, ends in time.

Prefect's client keeps trying a server that went away (each call retries for about a minute;
state changes, log lines and events queue up for it). So a run reporting to a server checks
the server's health every few seconds; once it has been unreachable for `LOST_AFTER_SECONDS`,
the run is stopped as by Ctrl-C: nothing new starts, and what the workers fetched and analysed
(batches in flight, batches read ahead) is stored with its explicit links, its content linking
left as link debt for the next run. None of that waits on Prefect (the progress artifact is
written behind the run, a stopped run's artifacts are not published to a lost server). Once
the steps have ended, the process records the flow run as lost (`lost_runs`: the next run sets
it Crashed), says so in one line with the count of articles the run stored, and exits 1
without handing the run back to Prefect, which would wait on the server for minutes. If the
steps have not ended `HARD_EXIT_SECONDS` after the loss, the process exits all the same. A
Ctrl-C likewise ends the process within `INTERRUPT_EXIT_SECONDS`, whatever it waits for; one
while the server is gone (found so or not yet) ends it as a lost server does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx

from unn_ingest.extractors import clock
from unn_ingest.flows.context import StopSignal
from unn_ingest.flows.errors import INTERRUPTED_MESSAGE, SERVER_LOST
from unn_ingest.flows.lost_runs import LostRun, remember, settle
from unn_ingest.flows.report import RunReport

log = logging.getLogger(__name__)

PROBE_EVERY_SECONDS = 5.0
LOST_AFTER_SECONDS = 10.0  # unreachable this long (two or three probes): the server is gone
HARD_EXIT_SECONDS = 25.0  # then at most this long to store what was fetched and end
INTERRUPT_EXIT_SECONDS = 9.0  # a Ctrl-C ends the process within this, whatever Prefect does


@dataclass
class ServerWatch:
    """A run's Prefect server, watched: what the run records and says if the server goes."""

    api_url: str
    data_dir: Path
    flow_run_id: str | None = None
    report: RunReport | None = None  # the run's, once its context is open
    lost_at: str | None = None  # when the server was found gone ("2025-11-20 10:00:00 UTC")

    def watch_run(self, report: RunReport) -> None:
        """Count what the run stores, and end (Crashed) the runs this server lost earlier."""
        self.report = report
        settled = settle(self.data_dir, self.api_url)
        if settled:
            log.info("%d earlier flow run(s) lost with the Prefect server set Crashed", settled)

    def lost(self) -> bool:
        """Tell whether the server was found gone."""
        return self.lost_at is not None

    def gone(self) -> bool:
        """Tell whether the server is gone: found so by the watch, or unreachable now."""
        if self.lost_at is None and not reachable(self.api_url):
            self.lost_at = _utc_now()
        return self.lost()

    def stored(self) -> int | None:
        """Return how many articles the run stored (None before its context is open)."""
        return len(self.report.stored_ids()) if self.report is not None else None

    def last_words(self) -> str:
        """Record the flow run as lost and return the command's one line."""
        stored = self.stored()
        if self.flow_run_id is not None:
            run = LostRun(self.api_url, self.flow_run_id, self.lost_at or _utc_now(), stored)
            remember(self.data_dir, run)
        message = server_lost_message(self.api_url, stored)
        log.error("%s: the process exits", message)  # the log file's last word on the run
        return f"error: {message}{_details(self.data_dir)}"

    def end(self) -> NoReturn:
        """End the process now, the steps having stored what was fetched: record the run, say
        the line, exit 1. (Prefect, which cannot record the run's end, would wait on the
        server for minutes.)"""
        exit_now(self.last_words, 1)


def configured_api() -> str | None:
    """Return the Prefect API URL this process reports to, if one is set."""
    from prefect.settings import PREFECT_API_URL

    value = PREFECT_API_URL.value()
    return str(value) if value else None


def server_to_watch(data_dir: Path) -> ServerWatch | None:
    """Return the watch of the current flow run's server (None: no server configured)."""
    from prefect.runtime import flow_run

    api, run_id = configured_api(), flow_run.id
    return ServerWatch(api, data_dir, str(run_id) if run_id else None) if api else None


def reachable(api_url: str) -> bool:
    """Tell whether the Prefect server is there: any HTTP answer counts, and so does a slow
    one (a busy server is not a lost one); a refused or failed connection does not."""
    try:
        httpx.get(api_url.rstrip("/") + "/health", timeout=3.0)
    except httpx.TimeoutException:
        return True
    except httpx.HTTPError:
        return False
    return True


def server_lost_message(api_url: str, stored: int | None = None) -> str:
    """Return the one line for a lost server: where, what is kept (how many articles this
    run stored, when known), what to run."""
    count = f" ({stored:,} articles stored by this run)" if stored is not None else ""
    return (
        f"{SERVER_LOST} at {api_url}: what was stored is kept{count}; run the same command "
        "again once the server is back"
    )


def _details(data_dir: Path) -> str:
    """Return where the tracebacks went: the data folder's log file, if one is written."""
    folder = (data_dir / "logs").resolve()
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename).parent == folder:
            return f" (details: {handler.baseFilename})"
    return ""


def _utc_now() -> str:
    return f"{clock.now():%Y-%m-%d %H:%M:%S} UTC"


async def stop_when_server_lost(
    stop: StopSignal, server: ServerWatch, every: float = PROBE_EVERY_SECONDS
) -> None:
    """Stop the run (`stop`) once the server has been unreachable for LOST_AFTER_SECONDS,
    and end the process HARD_EXIT_SECONDS later if the run has not ended by then."""
    down_since: float | None = None
    while not stop.is_set():
        await asyncio.sleep(every)
        if await asyncio.to_thread(reachable, server.api_url):
            down_since = None
            continue
        down_since = down_since or time.monotonic()
        if time.monotonic() - down_since >= LOST_AFTER_SECONDS and not stop.is_set():
            server.lost_at = _utc_now()
            # The terminal shows it once, at the end; the log file and the run's logs now.
            log.error(
                "%s; storing what was fetched, then ending", server_lost_message(server.api_url)
            )
            exit_within(HARD_EXIT_SECONDS, server.last_words, 1)
            stop.set(SERVER_LOST)
            return


Line = str | Callable[[], str]  # a line, or what returns it at the very end


def exit_within(seconds: float, line: Line, code: int) -> None:
    """End the process with `code` after `seconds` unless it ended first, printing `line`."""
    timer = threading.Timer(seconds, exit_now, args=(line, code))
    timer.daemon = True
    timer.start()


_exiting = threading.Lock()


def exit_now(line: Line, code: int) -> NoReturn:
    """End the process with `code`, printing `line`, after the hard-exit cleanups.

    What the run stored is committed transaction by transaction and its archive record by
    record, so nothing stored is lost; the worker processes and a temporary Prefect server
    end themselves once this process is gone. Prefect's queued logs and events are dropped.
    """
    _exiting.acquire()  # one line only: a second caller waits for the first one's exit
    tidy = threading.Thread(target=_before_exit, name="before-exit", daemon=True)
    tidy.start()
    tidy.join(BEFORE_EXIT_SECONDS)
    try:
        text = line() if callable(line) else line
    except Exception as error:  # the process ends next: nothing may stop that
        text = f"error: the run ended ({error})"
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    os._exit(code)


_cleanups: list[Callable[[], None]] = []
BEFORE_EXIT_SECONDS = 3.0


def on_hard_exit(cleanup: Callable[[], None]) -> Callable[[], None]:
    """Call `cleanup` before a hard exit (the worker pool's); return what unregisters it."""
    _cleanups.append(cleanup)
    return lambda: _cleanups.remove(cleanup) if cleanup in _cleanups else None


def _before_exit() -> None:
    for cleanup in list(_cleanups):
        try:
            cleanup()
        except Exception as error:  # the process ends next: nothing may stop that
            log.info("before exit: %s", error)


def hard_stop_on_interrupt() -> Callable[[], None]:
    """Make a Ctrl-C end the process within INTERRUPT_EXIT_SECONDS, on top of the run's own
    stop; return what undoes it. (Signal handlers live in the main thread only.)"""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGINT)

    def interrupted(signum: int, frame: Any) -> None:
        exit_within(INTERRUPT_EXIT_SECONDS, INTERRUPTED_MESSAGE, 130)
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)

    def restore() -> None:
        signal.signal(signal.SIGINT, previous)

    return restore
