"""What a flow run did, per edition, and what failed: the source of its UI artifacts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from unn_ingest.extractors.drift import DriftTally

log = logging.getLogger(__name__)

COUNTERS = ("discovered", "fetched", "new", "updated", "unchanged", "linked", "failed")


@dataclass
class EditionStats:
    """Counters for one edition in one run."""

    discovered: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class Failure:
    """One thing that went wrong, with its reason; the run went on."""

    url: str
    stage: str  # "feed", "listing", "fetch", "extract", "store"
    reason: str
    edition: str | None = None


@dataclass(frozen=True, slots=True)
class UnreadPage:
    """A listing page a walk could not read: its items, published in the span, were not seen."""

    edition: str
    url: str
    page: int
    reason: str
    newer_than: datetime | None  # the span of publish times the page covers (None: unknown)
    older_than: datetime | None


@dataclass
class RunReport:
    """Counters and failures of one flow run; safe to update from several threads."""

    editions: dict[str, EditionStats] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    drift: DriftTally = field(default_factory=DriftTally)  # see flows.drift
    unread_pages: list[UnreadPage] = field(default_factory=list)  # the range is not covered
    link_debt_settled: int = 0  # articles earlier runs stored but left unlinked, linked now
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stored: set[int] = field(default_factory=set, repr=False)  # articles this run stored
    _linked: set[int] = field(default_factory=set, repr=False)  # ...now in a story with others

    def add(self, edition: str, counter: str, amount: int = 1) -> None:
        """Add to one edition's counter."""
        with self._lock:
            stats = self.editions.setdefault(edition, EditionStats())
            setattr(stats, counter, getattr(stats, counter) + amount)

    def stored(self, article_id: int) -> None:
        """Note an article this run stored (new, updated or refetched unchanged)."""
        with self._lock:
            self._stored.add(article_id)

    def linked(self, edition: str, article_id: int) -> bool:
        """Count an article this run stored as linked, once; tell whether it counted now.

        Whichever batch brings its partner, an article counts once it shares a story, so the
        count does not depend on the order in which batches were stored.
        """
        with self._lock:
            if article_id not in self._stored or article_id in self._linked:
                return False
            self._linked.add(article_id)
        self.add(edition, "linked")
        return True

    def fail(self, failure: Failure) -> None:
        """Record a failure (and count it against its edition)."""
        with self._lock:
            self.failures.append(failure)
        where = f" ({failure.edition})" if failure.edition else ""
        # A request the run's stop cut short is no fault of the site: a large run stopped
        # would otherwise log a warning for each of thousands of pages the next run fetches.
        level = logging.INFO if failure.stage == "stopped" else logging.WARNING
        log.log(level, "%s failed%s: %s: %s", failure.stage, where, failure.url, failure.reason)
        if failure.edition:
            self.add(failure.edition, "failed")

    def unread(self, page: UnreadPage) -> None:
        """Record a listing page the run could not read (it is a failure too: see `fail`)."""
        with self._lock:
            self.unread_pages.append(page)

    def table(self) -> list[dict[str, object]]:
        """Return one row per edition plus a total row."""
        rows: list[dict[str, object]] = []
        totals = dict.fromkeys(COUNTERS, 0)
        for edition in sorted(self.editions):
            stats = self.editions[edition]
            row: dict[str, object] = {"edition": edition}
            for name in COUNTERS:
                row[name] = getattr(stats, name)
                totals[name] += getattr(stats, name)
            rows.append(row)
        rows.append({"edition": "total", **totals})
        return rows

    def total(self, counter: str) -> int:
        """Return a counter summed over editions."""
        return sum(getattr(s, counter) for s in self.editions.values())

    def failure_share(self) -> float:
        """Return the failed share of what was attempted (pages fetched or failed)."""
        attempted = self.total("fetched") + self.total("unchanged") + len(self.failures)
        return len(self.failures) / attempted if attempted else 0.0

    def failures_markdown(self, limit: int = 200) -> str:
        """Return the failures as a markdown table (or a line saying there were none)."""
        if not self.failures:
            return "No failures."
        lines = ["| stage | edition | URL | reason |", "|---|---|---|---|"]
        for f in self.failures[:limit]:
            reason = f.reason.replace("|", "\\|")
            lines.append(f"| {f.stage} | {f.edition or ''} | {f.url} | {reason} |")
        if len(self.failures) > limit:
            lines.append(f"\n… and {len(self.failures) - limit} more.")
        return "\n".join(lines)

    def summary(self) -> dict[str, object]:
        """Return a JSON-ready summary."""
        return {
            "editions": {r["edition"]: {k: r[k] for k in COUNTERS} for r in self.table()},
            "failures": [_failure_dict(f) for f in self.failures],
            "unread_pages": [_unread_dict(p) for p in self.unread_pages],
        }


def _failure_dict(f: Failure) -> dict[str, object]:
    return {"url": f.url, "stage": f.stage, "reason": f.reason, "edition": f.edition}


def _unread_dict(p: UnreadPage) -> dict[str, object]:
    span = [t.isoformat() if t else None for t in (p.newer_than, p.older_than)]
    return {"edition": p.edition, "url": p.url, "page": p.page, "reason": p.reason} | dict(
        zip(("newer_than", "older_than"), span, strict=True)
    )


ProgressHook = Callable[[str, int, int | None], None]  # (what, advance, new total or None)
_progress: list[ProgressHook] = []


def set_progress_hook(hook: ProgressHook | None) -> None:
    """Install (or remove) the hook that long runs report progress to (the CLI's bar)."""
    _progress.clear()
    if hook is not None:
        _progress.append(hook)


def progress(what: str, advance: int = 0, total: int | None = None) -> None:
    """Report progress to the installed hook, if any."""
    for hook in _progress:
        hook(what, advance, total)
