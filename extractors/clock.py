"""The pipeline's one notion of "now": an injectable clock, so simulated days run in minutes.

Every part of the pipeline that asks what time it is (frontier due times, revisit intervals,
run names, trends, freshness, story timestamps) calls `now()` here, never `datetime.now`.
The clock is the system's by default; tests and benchmarks install a fixed or a running one
(`use_clock`), and `UNN_INGEST_CLOCK` hands the same clock to other processes (workers,
deployment runs, a replica started beside the pipeline).

It lives in `extractors/`, the lowest layer, so that storage and flows read the same clock.
Pacing and timeouts stay on the real monotonic clock: politeness is measured in real seconds.

`UNN_INGEST_CLOCK` forms:
- `2025-11-20T10:00:00Z`: frozen at that instant;
- `2025-11-20T10:00:00Z x60`: runs 60 times faster than real time from the process's start;
- `2025-11-20T10:00:00Z x60 @1764000000.0`: the same, anchored at that real epoch second, so
  that processes started at different times agree.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

CLOCK_VARIABLE = "UNN_INGEST_CLOCK"


class ClockSpecError(ValueError):
    """A clock specification (`UNN_INGEST_CLOCK`) could not be read."""


class Clock(Protocol):
    """Anything that says what time it is (aware, UTC)."""

    def now(self) -> datetime:
        """Return the current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """Return the machine's current time in UTC."""
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that moves only when told to (tests)."""

    at: datetime
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def now(self) -> datetime:
        """Return the instant the clock was set to."""
        with self._lock:
            return self.at

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by `delta` and return the new instant."""
        with self._lock:
            self.at = self.at + delta
            return self.at


@dataclass(frozen=True)
class ScaledClock:
    """A running clock: `start` at real epoch `anchor`, then `speed` simulated s per real s."""

    start: datetime
    speed: float = 1.0
    anchor: float = field(default_factory=time.time)

    def now(self) -> datetime:
        """Return the simulated instant for the current real time."""
        return self.start + timedelta(seconds=(time.time() - self.anchor) * self.speed)

    def spec(self) -> str:
        """Return the `UNN_INGEST_CLOCK` value that reproduces this clock in another process."""
        return f"{format_utc(self.start)} x{self.speed:g} @{self.anchor:.3f}"


_current: Clock | None = None  # None: read UNN_INGEST_CLOCK on first use


def now() -> datetime:
    """Return the pipeline's current time (aware, UTC)."""
    return current_clock().now()


def current_clock() -> Clock:
    """Return the clock in use (on first use, the one `UNN_INGEST_CLOCK` names, or the system's)."""
    global _current
    if _current is None:
        spec = os.environ.get(CLOCK_VARIABLE, "").strip()
        _current = parse_clock(spec) if spec else SystemClock()
    return _current


def set_clock(clock: Clock) -> Clock:
    """Install `clock` for the whole process and return the one it replaces."""
    global _current
    previous, _current = current_clock(), clock
    return previous


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Install `clock` for the duration of a `with` block."""
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)


def parse_clock(spec: str) -> Clock:
    """Return the clock an `UNN_INGEST_CLOCK` value describes (see the module's docstring)."""
    parts = spec.split()
    if not parts or len(parts) > 3:
        raise ClockSpecError(f"{CLOCK_VARIABLE}={spec!r}: expected 'INSTANT [xSPEED] [@EPOCH]'")
    start = _parse_instant(parts[0], spec)
    speed: float | None = None
    anchor: float | None = None
    for part in parts[1:]:
        if part.startswith("x"):
            speed = _positive(part[1:], spec)
        elif part.startswith("@"):
            anchor = _positive(part[1:], spec)
        else:
            raise ClockSpecError(f"{CLOCK_VARIABLE}={spec!r}: unknown part {part!r}")
    if speed is None:
        return FixedClock(start)
    return ScaledClock(start, speed, anchor if anchor is not None else time.time())


def format_utc(when: datetime) -> str:
    """Format an aware instant as ISO 8601 UTC ending in "Z"."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_instant(text: str, spec: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ClockSpecError(f"{CLOCK_VARIABLE}={spec!r}: {text!r} is not an instant") from exc
    if value.tzinfo is None:
        raise ClockSpecError(f"{CLOCK_VARIABLE}={spec!r}: the instant needs a zone (Z)")
    return value.astimezone(UTC)


def _positive(text: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise ClockSpecError(f"{CLOCK_VARIABLE}={spec!r}: {text!r} is not a number") from exc
    if value <= 0:
        raise ClockSpecError(f"{CLOCK_VARIABLE}={spec!r}: {text!r} must be positive")
    return value
