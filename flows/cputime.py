"""CPU time by stage: where a run's CPU goes, so that a benchmark shows where a regression is.

`stage(name)` (or the `staged(name)` decorator) charges the CPU time the calling thread spends
inside the block to `name`; a stage entered inside another pauses the outer one, so no
millisecond is counted twice. Worker processes measure their batches the same way and send
the figures back with the batch (`BatchWork.cpu`); `add` merges them into this process's
totals. The totals only ever grow: a benchmark takes a `snapshot()` before a run and asks for
`since(before)` after it. Measuring costs two clock reads per stage, so it is always on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

__all__ = ["add", "in_worker", "since", "snapshot", "stage", "staged"]

P = ParamSpec("P")
R = TypeVar("R")
CpuSeconds = tuple[tuple[str, float], ...]  # (stage, CPU seconds), as a batch carries them

_totals: dict[str, float] = {}
_lock = threading.Lock()
_local = threading.local()  # .stack: [stage name, CPU time it was (re)started at] per level


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Charge this thread's CPU time inside the block to `name` (pausing any outer stage)."""
    stack: list[list[object]] = _local.__dict__.setdefault("stack", [])
    now = time.thread_time()
    if stack:
        _charge(stack[-1], now)
    stack.append([name, now])
    try:
        yield
    finally:
        now = time.thread_time()
        _charge(stack.pop(), now)
        if stack:
            stack[-1][1] = now


def staged(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a function so that its calls are the stage `name`."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def measured(*args: P.args, **kwargs: P.kwargs) -> R:
            with stage(name):
                return function(*args, **kwargs)

        return measured

    return decorate


def _charge(level: list[object], now: float) -> None:
    name, started = level
    assert isinstance(name, str) and isinstance(started, float)
    with _lock:
        _totals[name] = _totals.get(name, 0.0) + now - started
    level[1] = now


def add(seconds: Iterable[tuple[str, float]]) -> None:
    """Add CPU seconds measured elsewhere (a worker process's batch) to this process's totals."""
    with _lock:
        for name, value in seconds:
            _totals[name] = _totals.get(name, 0.0) + value


def snapshot() -> dict[str, float]:
    """Return the CPU seconds charged to each stage so far in this process."""
    with _lock:
        return dict(_totals)


def since(before: dict[str, float]) -> dict[str, float]:
    """Return the CPU seconds charged to each stage since `before` (a `snapshot()`)."""
    now = snapshot()
    return {name: value - before.get(name, 0.0) for name, value in now.items()}


def in_worker(before: dict[str, float], started: float, rest: str) -> CpuSeconds:
    """Return a worker process's CPU seconds by stage since `before` (a `snapshot()` taken at
    `started`, its `time.process_time()`), the unstaged part as `rest`, each named
    `workers: <stage>` for the main process's totals."""
    spent = since(before)
    spent[rest] = spent.get(rest, 0.0) + time.process_time() - started - sum(spent.values())
    return tuple((f"workers: {name}", seconds) for name, seconds in spent.items() if seconds)
