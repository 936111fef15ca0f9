"""Preloaded by the worker pool's fork server, and imported nowhere else: end it quickly.

The fork server exits when the last pool of its process shuts down, and that caller waits for
it. Its ordinary exit tears down every module the workers need (numpy, lxml, trafilatura...):
about 0.2 s, at the end of every large run. The server holds no data, so it skips that.
"""

from __future__ import annotations

import atexit
import os
import sys


def _exit_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)


atexit.register(_exit_now)
