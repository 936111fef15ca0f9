"""Read-ahead for large runs: workers fetch and analyse the next batches before they are asked.

A backfill knows the order in which it will process its batches (day by day, newest first).
Fetching and analysing is pure work in the worker processes, with no database; so while the
main process stores one batch or links one day's content, the workers already work on the
batches that follow, across day boundaries. What touches the database keeps the order it has
without read-ahead, so results do not depend on timing.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future

from unn_ingest.flows.fetch.http import FetchRequest
from unn_ingest.flows.fetch.workers import BatchWork

Start = Callable[[list[FetchRequest]], "Future[BatchWork]"]
BatchKey = tuple[str, ...]


def batch_key(requests: Sequence[FetchRequest]) -> BatchKey:
    """Return the key a batch is planned and taken under: its URLs, in order."""
    return tuple(r.url for r in requests)


class ReadAhead:
    """Start planned batches ahead of time, keeping at most `depth` started and not yet taken.

    Nothing is started before `ready()` says the workers are up: until then the caller does
    its batches itself instead of waiting for them.
    """

    def __init__(self, start: Start, depth: int, ready: Callable[[], bool]) -> None:
        self._start = start
        self._ready = ready
        self._depth = max(1, depth)
        self._planned: deque[tuple[BatchKey, list[FetchRequest]]] = deque()
        self._started: dict[BatchKey, Future[BatchWork]] = {}
        self._lock = threading.Lock()

    def plan(self, batches: Iterable[Sequence[FetchRequest]]) -> None:
        """Add batches, in the order they will be taken, and start the first few."""
        with self._lock:
            self._planned.extend((batch_key(b), list(b)) for b in batches)
            self._top_up()

    def take(self, requests: Sequence[FetchRequest]) -> Future[BatchWork] | None:
        """Return the started work for this batch, or None if it is not read ahead.

        Taking a batch makes room for the next planned one; a planned batch taken before it
        was started is dropped from the plan (the caller does it now).
        """
        key = batch_key(requests)
        with self._lock:
            future = self._started.pop(key, None)
            if future is None:
                self._drop_planned(key)
            self._top_up()
        return future

    def cancel(self) -> None:
        """Forget the plan and cancel started work nobody took (a run that stops early)."""
        with self._lock:
            self._planned.clear()
            for future in self._started.values():
                future.cancel()
            self._started.clear()

    def drain(self) -> list[tuple[list[FetchRequest], Future[BatchWork]]]:
        """Forget the plan and hand over the started work nobody took, in plan order."""
        with self._lock:
            self._planned.clear()
            started = [(list(key), future) for key, future in self._started.items()]
            self._started.clear()
        return [([FetchRequest(url) for url in key], future) for key, future in started]

    def ahead(self) -> int:
        """Return how many batches are started and not yet taken."""
        with self._lock:
            return len(self._started)

    def _top_up(self) -> None:
        if not self._ready():
            return
        while self._planned and len(self._started) < self._depth:
            key, batch = self._planned.popleft()
            self._started[key] = self._start(batch)

    def _drop_planned(self, key: BatchKey) -> None:
        for entry in self._planned:
            if entry[0] == key:
                self._planned.remove(entry)
                return
