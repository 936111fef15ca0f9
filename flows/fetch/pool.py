"""The worker processes of large runs: started lazily, from a fork server, warmed early."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar

from unn_ingest.flows.fetch.workers import init_worker

T = TypeVar("T")


class LazyProcessPool(Executor):
    """A process pool started on first use, so small runs never pay its start-up.

    Workers come from a fork server that imported the extractors once (fork, not spawn:
    cheap; from a clean server process, not from this threaded one: safe).
    """

    def __init__(self, workers: int = 2, on_requests: Callable[[int], None] | None = None) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._warming: threading.Thread | None = None
        self._started = threading.Event()
        self._on_requests = on_requests  # told how many requests the workers did, as they go
        self._counter: Any = None
        self._watching: threading.Thread | None = None
        self._done = threading.Event()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Submit work, starting the pool if needed (the first call waits for the workers)."""
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["unn_ingest.flows.fetch.worker_init"])
                self._counter = context.Value("q", 0)
                self._pool = ProcessPoolExecutor(
                    self._workers,
                    mp_context=context,
                    initializer=init_worker,
                    initargs=(self._counter,),
                )
                if self._on_requests is not None:
                    self._done.clear()
                    self._watching = threading.Thread(
                        target=self._watch, name="pool-progress", daemon=True
                    )
                    self._watching.start()
            return self._pool.submit(fn, *args, **kwargs)

    @property
    def workers(self) -> int:
        """Return how many worker processes the pool runs."""
        return self._workers

    def warm(self) -> None:
        """Start the workers in a background thread, so that neither the caller nor the first
        batch waits for the fork server to import everything."""
        if self._warming is None:
            self._warming = threading.Thread(target=self._start, name="pool-warm", daemon=True)
            self._warming.start()

    def _start(self) -> None:
        for future in [self.submit(_ready) for _ in range(self._workers)]:
            future.result()
        self._started.set()

    def ready(self) -> bool:
        """Tell whether the workers have started (work sent earlier would wait for them)."""
        return self._started.is_set()

    def _watch(self) -> None:
        """Report the requests the workers did, a few times a second."""
        assert self._on_requests is not None
        seen = 0
        while True:
            stopping = self._done.wait(0.25)
            now = self._counter.value
            if now > seen:
                self._on_requests(now - seen)
                seen = now
            if stopping:
                return

    def interrupt(self) -> None:
        """Ask the workers to stop fetching (a stopped run): each returns what it fetched and
        analysed of the batch it holds, so that it is stored; batches started later come back
        at once as not fetched."""
        with self._lock:
            pool = self._pool
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):
            if process.pid is not None and process.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGUSR1)

    def terminate(self) -> None:
        """Kill the workers now (a stopped run): the batches they held are fetched next time."""
        with self._lock:
            pool = self._pool
        if pool is None:
            return
        # ProcessPoolExecutor has no public way to stop work that is running.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the workers, if any were started."""
        if self._warming is not None:
            self._warming.join()
            self._warming = None
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
            self._pool = None
        if self._watching is not None:
            self._done.set()
            self._watching.join()
            self._watching = None
        self._started.clear()


def _ready() -> bool:
    return True
