"""Processes that end with the process they work for, even when it is killed (SIGKILL, OOM).

A killed process runs no cleanup, so its helpers (the worker pool's processes, the temporary
Prefect server of a command) watch it instead and end themselves once it is gone.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable


def alive(pid: int) -> bool:
    """Tell whether a process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True  # no /proc (not Linux): existence is all we can tell


def when_gone(pid: int, action: Callable[[], None], interval: float = 0.5) -> None:
    """Call `action` (in a daemon thread) as soon as the process `pid` is gone."""

    def watch() -> None:
        while alive(pid):
            time.sleep(interval)
        action()

    threading.Thread(target=watch, name=f"watch-{pid}", daemon=True).start()
