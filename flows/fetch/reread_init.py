"""Imported once by the fork server of `reprocess`'s workers: what re-reading the archive needs.

A worker that reads spans of WARC files and analyses their pages needs neither the HTTP
client nor the settings and site profiles that `worker_init` loads for fetching workers:
0.3 s less CPU at the start of every run, and the workers are up sooner.
"""

from __future__ import annotations

import signal
import sys

from unn_ingest.flows.fetch import rereading  # noqa: F401  (the function the pool runs)


def _stop_fetching(*_: object) -> None:
    """Stop the fetches of a fetching pool's worker, should one be forked from this server
    (one server serves all the pools of a process); a re-reading worker has none."""
    workers = sys.modules.get("unn_ingest.flows.fetch.workers")
    if workers is not None:
        workers.stop_fetching()


# As in `worker_init`: Ctrl-C is the main process's to handle; it sends SIGUSR1 to stop.
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGUSR1, _stop_fetching)
