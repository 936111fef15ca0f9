"""The worker processes of large runs: started lazily, from a fork server, warmed early.

No process outlives the pool: shutting the last pool of a process down also stops the fork
server (multiprocessing keeps it running for the life of the process otherwise, and a
long-lived caller such as `serve` or a test session would accumulate it). When the main
process dies without shutting down (SIGKILL, OOM), each worker notices within a second and
exits; the fork server and the resource tracker then see their last user gone and exit too.
(A worker would otherwise wait forever: it holds both ends of its own task queue.)
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import types
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, CancelledError, Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar

from unn_ingest.flows.lifetime import when_gone

T = TypeVar("T")

_open_pools = 0  # pools of this process whose workers may be running
_open_lock = threading.Lock()
_requests: Any = None  # in a worker: the pool's shared counter of requests done

# What the fork server imports before it forks the workers: all a fetching worker uses, or
# what a worker re-reading the archive (`reprocess`) uses.
FETCHING = ("unn_ingest.flows.fetch.worker_init", "unn_ingest.flows.fetch.server_exit")
REREADING = ("unn_ingest.flows.fetch.reread_init", "unn_ingest.flows.fetch.server_exit")


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
        # The modules the fork server imports, if this pool starts it (one serves a process's
        # pools: a second pool's workers import what they lack themselves).
        self.preload = FETCHING

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Submit work, starting the pool if needed (the first call waits for the workers)."""
        with self._lock:
            if self._pool is None:
                _quiet_resource_tracker()
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(list(self.preload))
                self._counter = context.Value("q", 0)
                self._pool = _WorkerPool(
                    self._workers,
                    mp_context=context,
                    initializer=start_worker,
                    initargs=(self._counter, os.getpid()),
                )
                _opened()
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
        try:
            for future in [self.submit(_ready) for _ in range(self._workers)]:
                future.result()
        except (BrokenExecutor, CancelledError, RuntimeError):  # terminated or shut down
            return
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

    def abandon(self) -> None:
        """Kill the workers and release the pool without waiting (the process exits next)."""
        self.terminate()
        with self._lock:
            pool = self._pool
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the workers, if any were started."""
        if self._warming is not None:
            self._warming.join()
            self._warming = None
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
            self._pool = None
            _closed()
        if self._watching is not None:
            self._done.set()
            self._watching.join()
            self._watching = None
        self._started.clear()


class _WorkerPool(ProcessPoolExecutor):
    """A process pool whose workers do not import the caller's main module.

    multiprocessing re-imports `__main__` in every new process (the caller's script or `-m`
    module), which only pickled functions defined there need; ours live in the package. The
    main module of the CLI or of a Prefect flow run imports Prefect and the whole CLI: that
    took each worker seconds to start, longer than a reprocess of 1,000 pages takes.
    """

    def _spawn_process(self) -> None:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")  # as `python -c` has: no file
        try:
            super()._spawn_process()  # type: ignore[misc]
        finally:
            sys.modules["__main__"] = main


# multiprocessing's resource tracker (a process of its own, started with the pool) warns on
# our stderr about the pool's semaphores when this process is ended in a hurry (a lost Prefect
# server, a second Ctrl-C); it cleans them up all the same. It takes its warning filters
# from ours when it starts.
TRACKER_WARNING = "ignore:resource_tracker:UserWarning"


def _quiet_resource_tracker() -> None:
    if TRACKER_WARNING not in sys.warnoptions:
        sys.warnoptions.append(TRACKER_WARNING)


def _ready() -> bool:
    return True


def start_worker(counter: Any, main_pid: int) -> None:
    """In a new worker: count its requests for progress, die with the main process (the fork
    server's preload sets what SIGUSR1 does)."""
    global _requests
    _requests = counter
    watch_main_process(main_pid)


def count_request() -> None:
    """In a worker: add a request done to the pool's counter (the main process's progress)."""
    if _requests is not None:
        with _requests.get_lock():
            _requests.value += 1


def watch_main_process(pid: int, interval: float = 0.5) -> None:
    """In a worker: exit as soon as the main process `pid` is gone (a daemon thread watches)."""
    # No cleanup to do: the work died with the main process.
    when_gone(pid, lambda: os._exit(1), interval)


def _opened() -> None:
    global _open_pools
    with _open_lock:
        _open_pools += 1


def _closed() -> None:
    """Count a pool closed; with none left, stop the fork server (it starts again on demand)."""
    global _open_pools
    with _open_lock:
        _open_pools -= 1
        if _open_pools == 0:
            stop_fork_server()


def stop_fork_server() -> None:
    """Stop this process's multiprocessing fork server, if one runs (CPython has no public way)."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if stop is not None:
        stop()
