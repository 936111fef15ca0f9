"""Bounded ends: a run whose Prefect server is gone, or that was interrupted, ends in time.

Prefect's client keeps trying a server that went away (every state change and event is sent
to it), and a run waiting on it would never end. So a run reporting to a server checks the
server's health every few seconds; once it has been unreachable for `LOST_AFTER_SECONDS`, the
run is stopped as by Ctrl-C (what was fetched is stored), and if Prefect still holds the
process `HARD_EXIT_SECONDS` later, the process says so in one line and exits 1. A Ctrl-C
likewise ends the process within `INTERRUPT_EXIT_SECONDS`, whatever it waits for.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from unn_ingest.flows.context import StopSignal
from unn_ingest.flows.errors import INTERRUPTED_MESSAGE, SERVER_LOST

log = logging.getLogger(__name__)

PROBE_EVERY_SECONDS = 5.0
LOST_AFTER_SECONDS = 10.0  # unreachable this long (two or three probes): the server is gone
HARD_EXIT_SECONDS = 25.0  # then at most this long to store what was fetched and end
INTERRUPT_EXIT_SECONDS = 9.0  # a Ctrl-C ends the process within this, whatever Prefect does


def configured_api() -> str | None:
    """Return the Prefect API URL this process reports to, if one is set."""
    from prefect.settings import PREFECT_API_URL

    value = PREFECT_API_URL.value()
    return str(value) if value else None


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


def server_lost_message(api_url: str) -> str:
    """Return the one line for a lost server: where, what is kept, what to run."""
    return (
        f"{SERVER_LOST} at {api_url}: what was stored is kept; run the same command again "
        "once the server is back"
    )


async def stop_when_server_lost(
    stop: StopSignal, api_url: str, every: float = PROBE_EVERY_SECONDS
) -> None:
    """Stop the run (`stop`) once the server has been unreachable for LOST_AFTER_SECONDS,
    and end the process HARD_EXIT_SECONDS later if the run has not ended by then."""
    down_since: float | None = None
    while not stop.is_set():
        await asyncio.sleep(every)
        if await asyncio.to_thread(reachable, api_url):
            down_since = None
            continue
        down_since = down_since or time.monotonic()
        if time.monotonic() - down_since >= LOST_AFTER_SECONDS and not stop.is_set():
            message = server_lost_message(api_url)
            log.error("%s; stopping", message)  # the terminal shows it once, at the end
            exit_within(HARD_EXIT_SECONDS, f"error: {message}", 1)
            stop.set(SERVER_LOST)
            return


def exit_within(seconds: float, line: str, code: int) -> None:
    """End the process with `code` after `seconds` unless it ended first, printing `line`.

    What the run stored is committed transaction by transaction and its archive record by
    record, so nothing stored is lost; the worker processes and a temporary Prefect server
    end themselves once this process is gone.
    """

    def expire() -> None:
        tidy = threading.Thread(target=_before_exit, name="before-exit", daemon=True)
        tidy.start()
        tidy.join(BEFORE_EXIT_SECONDS)
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        os._exit(code)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


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
