"""The replica's clock: a settable "now" that only moves when a test or the operator moves it.

A frozen clock keeps pages byte-identical between requests (stable ETags, deterministic tests);
`set` and `advance` reveal new stories, translations and corrections on demand.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class ClockError(ValueError):
    """A clock value was naive or otherwise unusable."""


class Clock:
    """A thread-safe, manually driven UTC clock."""

    def __init__(self, start: datetime) -> None:
        self._lock = threading.Lock()
        self._now = _as_utc(start)

    def now(self) -> datetime:
        """Return the current replica time (UTC, aware, whole seconds)."""
        with self._lock:
            return self._now

    def set(self, when: datetime) -> datetime:
        """Move the clock to `when` (aware; backwards is allowed) and return it."""
        with self._lock:
            self._now = _as_utc(when)
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by `seconds` and return the new time."""
        with self._lock:
            self._now = _as_utc(self._now + timedelta(seconds=seconds))
            return self._now


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
