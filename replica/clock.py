"""The replica's clock: a settable "now", frozen by default or running at a speed.

A frozen clock keeps pages byte-identical between requests (stable ETags, deterministic tests);
`set` and `advance` reveal new stories, translations and corrections on demand. A running clock
(`speed`: simulated seconds per real second) is the pipeline's own `ScaledClock`
(`extractors/clock.py`): `spec()` is the `UNN_INGEST_CLOCK` value that gives the pipeline the
very same time, so both agree on "now".
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from unn_ingest.extractors.clock import ScaledClock, format_utc


class ClockError(ValueError):
    """A clock value was naive or otherwise unusable."""


class Clock:
    """A thread-safe UTC clock: frozen (moved by hand) or running at `speed` times real time."""

    def __init__(self, start: datetime, speed: float | None = None) -> None:
        if speed is not None and speed <= 0:
            raise ClockError(f"clock speed must be positive, got {speed}")
        self._lock = threading.Lock()
        self._now = _as_utc(start)
        self.speed = speed
        self._running = ScaledClock(self._now, speed) if speed is not None else None

    def now(self) -> datetime:
        """Return the current replica time (UTC, aware, whole seconds)."""
        with self._lock:
            if self._running is not None:
                return _as_utc(self._running.now())
            return self._now

    def set(self, when: datetime) -> datetime:
        """Move the clock to `when` (aware; backwards is allowed) and return it; a running
        clock runs on from there."""
        with self._lock:
            self._now = _as_utc(when)
            if self.speed is not None:
                self._running = ScaledClock(self._now, self.speed)
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by `seconds` and return the new time."""
        return self.set(self.now() + timedelta(seconds=seconds))

    def spec(self) -> str:
        """Return the `UNN_INGEST_CLOCK` value that gives another process this clock's time."""
        with self._lock:
            running = self._running
            return running.spec() if running is not None else format_utc(self._now)


def _as_utc(when: datetime) -> datetime:
    """Return `when` in UTC truncated to whole seconds; reject naive datetimes."""
    if when.tzinfo is None:
        raise ClockError(f"clock time must be timezone-aware, got {when.isoformat()}")
    return when.astimezone(UTC).replace(microsecond=0)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant ("...Z" or with an offset) into an aware UTC datetime."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ClockError(f"not an ISO 8601 instant: {text!r}") from exc
    return _as_utc(value)


def format_instant(when: datetime) -> str:
    """Format an aware datetime as an ISO 8601 UTC instant ending in "Z"."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
