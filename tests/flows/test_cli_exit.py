"""A command that imported Prefect exits without the interpreter's teardown, and loses nothing
of what a normal exit does: its exit handlers run, its buffered output is written, its code."""

from __future__ import annotations

import subprocess
import sys

EXITING = """
import atexit, sys, threading, time
import prefect
from unn_ingest.flows.cli.app import _exit_at_once
atexit.register(lambda: print("handler ran"))
from concurrent.futures import ThreadPoolExecutor
worker = threading.Thread(target=lambda: (time.sleep(0.3), print("thread ended")))
worker.start()
ThreadPoolExecutor(1).submit(print, "executor ran").result()  # its thread stays, idle
print("buffered", end=" ")
_exit_at_once(3)
"""


def test_exiting_at_once_runs_the_handlers_joins_the_threads_and_flushes() -> None:
    done = subprocess.run(
        [sys.executable, "-c", EXITING], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout == "executor ran\nbuffered thread ended\nhandler ran\n"
