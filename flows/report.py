"""What a flow run did, per edition, and what failed: the source of its UI artifacts."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from unn_ingest.extractors.drift import DriftTally
from unn_ingest.flows.freshness import CoverageGap, FreshnessTally, lag_figures

log = logging.getLogger(__name__)

COUNTERS = (
    *("discovered", "fetched", "new", "updated", "unchanged", "linked", "removed", "moved"),
    "failed",
)
SITE_ROW = "site"  # failures of no edition (robots.txt) are counted in this row of the table


@dataclass
class EditionStats:
    """Counters for one edition in one run."""

    discovered: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    removed: int = 0  # stored articles a revisit found gone (404/410)
    moved: int = 0  # stored articles whose URL now redirects to a new slug
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
    not_fetched: list[str] = field(default_factory=list)  # URLs a stop left for the next run
    freshness: FreshnessTally = field(default_factory=FreshnessTally)  # publication to storage
    gaps: list[CoverageGap] = field(default_factory=list)  # spans a catch-up left uncovered
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

    def stored_ids(self) -> list[int]:
        """Return the ids of the articles this run stored."""
        with self._lock:
            return sorted(self._stored)

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
        """Record a failure (and count it against its edition, or the site's row).

        A request the run's stop cut short is no fault of the site and no failure: it is kept
        in `not_fetched` and logged at INFO (a large run stopped would otherwise log a warning,
        and count a failure, for each of thousands of pages the next run fetches). A failure of
        no edition (robots.txt) is recorded once however many requests met it.
        """
        if failure.stage == "stopped":
            with self._lock:
                self.not_fetched.append(failure.url)
            log.info("not fetched%s: stopped before the end — %s", _where(failure), failure.url)
            return
        with self._lock:
            if failure.edition is None and failure in self.failures:
                return
            self.failures.append(failure)
        # The URL ends the line: the UI's linkifier would take a colon after it into the link.
        log.warning(
            "%s failed%s: %s — %s", failure.stage, _where(failure), failure.reason, failure.url
        )
        self.add(failure.edition or SITE_ROW, "failed")

    def stored_counts(self) -> str:
        """Say what the run stored: "221 new, 6 updated, 0 failed" (its state message and its
        summary artifact's description, so that the artifact's history shows it too)."""
        failed = len(self.failures)  # the summary's total "failed" (robots.txt counted once)
        return f"{self.total('new')} new, {self.total('updated')} updated, {failed} failed"

    def failed_in(self, edition: str, stages: Collection[str]) -> int:
        """Count the failures so far of one edition at these stages (e.g. its discovery's)."""
        with self._lock:
            return sum(1 for f in self.failures if f.edition == edition and f.stage in stages)

    def unread(self, page: UnreadPage) -> None:
        """Record a listing page the run could not read (it is a failure too: see `fail`)."""
        with self._lock:
            self.unread_pages.append(page)

    def gap(self, gap: CoverageGap) -> None:
        """Record a span of publish times this run did not cover (past the catch-up horizon)."""
        with self._lock:
            self.gaps.append(gap)

    def table(self) -> list[dict[str, object]]:
        """Return one row per edition plus a total row (with freshness: minutes from
        publication to storage of the articles new in this run, and what is still missing)."""
        rows: list[dict[str, object]] = []
        totals = dict.fromkeys(COUNTERS, 0)
        for edition in sorted(self.editions, key=lambda e: (e == SITE_ROW, e)):
            stats = self.editions[edition]
            row: dict[str, object] = {"edition": edition}
            for name in COUNTERS:
                row[name] = getattr(stats, name)
                totals[name] += getattr(stats, name)
            rows.append(row | self._fresh_columns([edition]))
        rows.append({"edition": "total", **totals} | self._fresh_columns(list(self.editions)))
        return rows

    def _fresh_columns(self, editions: list[str]) -> dict[str, object]:
        tally = self.freshness
        figures = lag_figures([lag for ed in editions for lag in tally.lags.get(ed, [])])
        columns: dict[str, object] = {f"fresh {k} min": v for k, v in figures.items()}
        return columns | {"missing": sum(tally.missing.get(ed, 0) for ed in editions)}

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
        # The reason before the long URL, so that a narrow screen still shows it.
        lines = ["| stage | edition | reason | URL |", "|---|---|---|---|"]
        for f in self.failures[:limit]:
            reason = f.reason.replace("|", "\\|")
            lines.append(f"| {f.stage} | {f.edition or ''} | {reason} | {f.url} |")
        if len(self.failures) > limit:
            lines.append(f"\n… and {len(self.failures) - limit} more.")
        return "\n".join(lines)

    def summary(self) -> dict[str, object]:
        """Return a JSON-ready summary."""
        return {
            "editions": {r["edition"]: {k: r[k] for k in COUNTERS} for r in self.table()},
            "failures": [_failure_dict(f) for f in self.failures],
            "unread_pages": [_unread_dict(p) for p in self.unread_pages],
            "not_fetched": len(self.not_fetched),
            "freshness": self.freshness.by_edition(self.editions),
            "gaps": [g.as_dict() for g in self.gaps],
        }


def _where(failure: Failure) -> str:
    return f" ({failure.edition})" if failure.edition else ""


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
