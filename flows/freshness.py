"""Freshness and coverage of a run: minutes from publication to storage, what is still
missing, and the gaps a catch-up left (with the `backfill` command that fills them).

Freshness of an article is `first_seen_at - published_at` (both UTC), in minutes. A run
tallies it per edition for the articles it stored as new, and per publication day (the
site's local date) for the trend; what a run discovered but could not store is "missing".
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo


def percentile(values: Sequence[float], share: float) -> float:
    """Return the nearest-rank percentile (`share` in 0..1) of non-empty values."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def lag_figures(lags: Sequence[float]) -> dict[str, float | None]:
    """Return p50, p95 and max of lags in minutes (rounded to 0.1), None when there are none."""
    if not lags:
        return {"p50": None, "p95": None, "max": None}
    return {
        "p50": round(percentile(lags, 0.5), 1),
        "p95": round(percentile(lags, 0.95), 1),
        "max": round(max(lags), 1),
    }


def lag_minutes(published_at: datetime, stored_at: datetime) -> float:
    """Return minutes from publication to storage (never below zero)."""
    return max(0.0, (stored_at - published_at).total_seconds() / 60)


@dataclass
class FreshnessTally:
    """What one run stored how late, per edition and per (publication day, edition)."""

    lags: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    day_new: dict[tuple[date, str], int] = field(default_factory=lambda: defaultdict(int))
    day_missing: dict[tuple[date, str], int] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    day_lags: dict[tuple[date, str], dict[str, float | None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def arrived(self, edition: str, day: date, published_at: datetime, at: datetime) -> None:
        """Note an article stored as new: its edition, publication day and times."""
        with self._lock:
            self.lags[edition].append(lag_minutes(published_at, at))
            self.day_new[(day, edition)] += 1

    def set_missing(self, counts: Iterable[tuple[date | None, str]]) -> None:
        """Set what is still missing: one (publication day, edition) per article not stored."""
        with self._lock:
            for day, edition in counts:
                self.missing[edition] = self.missing.get(edition, 0) + 1
                if day is not None:
                    key = (day, edition)
                    self.day_missing[key] = self.day_missing.get(key, 0) + 1

    def by_edition(self, editions: Iterable[str]) -> dict[str, dict[str, float | int | None]]:
        """Return per edition: p50/p95/max minutes, new articles measured, still missing."""
        return {
            ed: {
                **lag_figures(self.lags.get(ed, [])),
                "new": len(self.lags.get(ed, [])),
                "missing": self.missing.get(ed, 0),
            }
            for ed in sorted(editions)
        }

    def days(self) -> list[tuple[date, str]]:
        """Return the (publication day, edition) pairs this run touched."""
        return sorted({*self.day_new, *self.day_missing, *self.day_lags})


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """Publish times of an edition no run covered: between `start` and `end` (UTC)."""

    edition: str
    start: datetime  # covered up to here (the last completed run's watermark)
    end: datetime  # covered from here on (the oldest item the catch-up read)
    date_from: date  # the site-local dates a backfill over it takes
    date_to: date

    @classmethod
    def spanning(cls, edition: str, start: datetime, end: datetime, zone: tzinfo) -> CoverageGap:
        """Return the gap between two instants, with the site-local dates that cover it."""
        return cls(edition, start, end, start.astimezone(zone).date(), end.astimezone(zone).date())

    def describe(self) -> str:
        """Return the gap in one phrase: `uk 2025-11-10 08:00..2025-11-13 09:12 UTC`."""
        span = f"{self.start:%Y-%m-%d %H:%M}..{self.end:%Y-%m-%d %H:%M}"
        return f"{self.edition} {span} UTC"

    def as_dict(self) -> dict[str, object]:
        """Return the gap as the run's JSON summary carries it."""
        return {
            "edition": self.edition,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "command": backfill_commands([self])[0],
        }


def backfill_commands(gaps: Sequence[CoverageGap]) -> list[str]:
    """Return the `unn-ingest backfill` commands that fill these gaps (editions with the same
    dates share one command)."""
    editions: dict[tuple[date, date], list[str]] = defaultdict(list)
    for gap in gaps:
        editions[(gap.date_from, gap.date_to)].append(gap.edition)
    return [
        f"unn-ingest backfill --from {start} --to {end} --edition {','.join(eds)}"
        for (start, end), eds in sorted(editions.items())
    ]


def gap_message(gaps: Sequence[CoverageGap], counts: str = "") -> str:
    """Return how a run's state names its gaps and the commands that fill them (last, to be
    copied), after what the run stored (`counts`)."""
    spans = ", ".join(g.describe() for g in gaps)
    stored = f" ({counts})" if counts else ""
    commands = "; ".join(backfill_commands(gaps))
    return f"completed with a gap{stored}: {spans}; fill it with: {commands}"
