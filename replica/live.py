"""A living site: articles unpublished or moved after publication, and scheduled outages.

All of it is off by default (the catalogue and every page stay as they were). `LivePlan`
turns it on: a share of the catalogue's articles is unpublished (404 or 410 from a time on)
and a share moved to a new slug (301 from the old path), each chosen and timed by a hash of
(seed, path), so a seed always gives the same events; outages answer 503, or drop the
connection without a response, for a span of the replica's time. Tests add events by hand
(`remove`, `move`, `add_outage`). The ground truth lists what was removed and moved.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from unn_ingest.replica.clock import format_instant, parse_instant
from unn_ingest.replica.render_index import CatalogueIndex, Entry
from unn_ingest.replica.render_text import PREFIX, stable_hash

OUTAGE_KINDS = ("503", "refused")  # refused: the connection is closed without a response


class LiveError(ValueError):
    """A live-site option or event could not be read."""


@dataclass(frozen=True, slots=True)
class Outage:
    """The site is down over [start, end) of the replica's time."""

    start: datetime
    end: datetime
    kind: str = "503"

    def covers(self, when: datetime) -> bool:
        """Tell whether the site is down at `when`."""
        return self.start <= when < self.end

    @classmethod
    def parse(cls, text: str) -> Outage:
        """Read `START/END[:refused|:503]` (ISO 8601 instants)."""
        span, sep, kind = text.rpartition(":") if text.endswith(OUTAGE_KINDS) else (text, "", "")
        start, slash, end = span.partition("/")
        if not slash:
            raise LiveError(f"outage {text!r}: expected START/END[:503|:refused]")
        outage = cls(parse_instant(start), parse_instant(end), kind if sep else "503")
        if outage.end <= outage.start:
            raise LiveError(f"outage {text!r}: the end must be after the start")
        return outage


@dataclass(frozen=True, slots=True)
class LivePlan:
    """What happens to the site after publication (all off by default)."""

    removed_share: float = 0.0  # of articles: unpublished 30 min to 12 h after they appear
    moved_share: float = 0.0  # of articles: moved to a new slug 10 min to 6 h after
    outages: tuple[Outage, ...] = ()

    def __post_init__(self) -> None:
        for name in ("removed_share", "moved_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise LiveError(f"{name} must be between 0 and 1")


@dataclass(frozen=True, slots=True)
class Removal:
    """An article unpublished at `at`, answering `status` from then on."""

    at: datetime
    status: int


@dataclass(frozen=True, slots=True)
class Moved:
    """An article moved at `at`: the old path redirects to `entry.path`."""

    at: datetime
    old_path: str
    entry: Entry  # the entry under its new path


@dataclass
class LiveEvents:
    """The events of one site: removals and moves by path, outages; thread-safe to change."""

    removals: dict[str, Removal] = field(default_factory=dict)
    moves: dict[str, Moved] = field(default_factory=dict)  # by old path
    arrivals: dict[str, Moved] = field(default_factory=dict)  # by new path
    outages: list[Outage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def plan(cls, index: CatalogueIndex, seed: int, plan: LivePlan) -> LiveEvents:
        """Draw the plan's removals and moves over the catalogue, deterministically per seed."""
        events = cls(outages=list(plan.outages))
        for path in sorted(index.by_path):
            entry = index.by_path[path]
            draw = stable_hash(seed, "live", path) % 1_000_000 / 1_000_000
            minutes = stable_hash(seed, "live-at", path)
            if draw < plan.removed_share:
                at = entry.visible_from + timedelta(minutes=30 + minutes % 690)
                status = 410 if minutes % 3 == 0 else 404
                events.remove(path, at, status)
            elif draw < plan.removed_share + plan.moved_share:
                at = entry.visible_from + timedelta(minutes=10 + minutes % 350)
                events.move(index, path, at, _new_slug(index, entry))
        return events

    def remove(self, path: str, at: datetime, status: int = 404) -> None:
        """Unpublish the article at `path` from `at` on (404 or 410)."""
        if status not in (404, 410):
            raise LiveError(f"a removed article answers 404 or 410, not {status}")
        with self._lock:
            self.removals[path] = Removal(at, status)

    def move(self, index: CatalogueIndex, path: str, at: datetime, slug: str) -> str:
        """Move the article at `path` to `slug` of its edition from `at` on; return the new path."""
        entry = index.by_path.get(path)
        if entry is None:
            raise LiveError(f"no article at {path}")
        prefix = PREFIX[entry.edition]
        new = replace(entry, path=f"{prefix}/news/{slug}", amp_path=f"{prefix}/amp/{slug}")
        if new.path in index.by_path or new.path in self.arrivals:
            raise LiveError(f"{new.path} is taken")
        with self._lock:
            self.moves[path] = self.arrivals[new.path] = Moved(at, path, new)
        return new.path

    def add_outage(self, outage: Outage) -> None:
        """Schedule an outage."""
        with self._lock:
            self.outages.append(outage)

    def outage_at(self, when: datetime) -> Outage | None:
        """Return the outage in force at `when`, if any."""
        with self._lock:
            return next((o for o in self.outages if o.covers(when)), None)

    def removal(self, path: str, when: datetime) -> Removal | None:
        """Return the removal of the article at `path` if it has happened by `when`."""
        found = self.removals.get(path)
        return found if found is not None and found.at <= when else None

    def moved_away(self, path: str, when: datetime) -> Moved | None:
        """Return the move of the article at the old `path` if it has happened by `when`."""
        found = self.moves.get(path)
        return found if found is not None and found.at <= when else None

    def arrived(self, path: str, when: datetime) -> Entry | None:
        """Return the entry now served at the new `path`, if it has moved there by `when`."""
        found = self.arrivals.get(path)
        if found is None or found.at > when or self.removal(found.old_path, when):
            return None
        return found.entry

    def current(self, entries: Iterable[Entry], when: datetime) -> list[Entry]:
        """Return the entries as the site shows them at `when`: removed ones left out, moved
        ones under their new paths."""
        shown = []
        for entry in entries:
            if self.removal(entry.path, when) is not None:
                continue
            moved = self.moved_away(entry.path, when)
            shown.append(moved.entry if moved is not None else entry)
        return shown

    def truth(self, when: datetime, absolute: Any) -> dict[str, list[dict[str, Any]]]:
        """Return the removals and moves made by `when`, for the ground truth."""
        removed = [
            {"url": absolute(path), "removed_at": format_instant(r.at), "status": r.status}
            for path, r in sorted(self.removals.items())
            if r.at <= when
        ]
        moved = [
            {"from": absolute(path), "to": absolute(m.entry.path), "at": format_instant(m.at)}
            for path, m in sorted(self.moves.items())
            if m.at <= when
        ]
        return {"removed": removed, "moved": moved}

    @property
    def active(self) -> bool:
        """Tell whether anything at all is planned (pages render as before when not)."""
        return bool(self.removals or self.moves or self.outages)


def _new_slug(index: CatalogueIndex, entry: Entry) -> str:
    """Return a new slug for a moved article: the old one with a suffix, unused."""
    base = entry.text.slug
    prefix = PREFIX[entry.edition]
    for n in range(1, 100):
        slug = f"{base}-upd{n}" if n > 1 else f"{base}-upd"
        if f"{prefix}/news/{slug}" not in index.by_path:
            return slug
    raise LiveError(f"no free slug for {entry.path}")
