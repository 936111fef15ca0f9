"""The state one flow run shares between its steps."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from unn_ingest.extractors.matching import ArticleFeatures
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.flows.errors import RunStopped
from unn_ingest.flows.fetch.http import Fetcher
from unn_ingest.flows.fetch.pool import LazyProcessPool
from unn_ingest.flows.fetch.readahead import ReadAhead
from unn_ingest.flows.report import RunReport
from unn_ingest.storage import RetryDelays, Store


class StopSignal:
    """Asks a run to stop. Set from outside the run's thread (Ctrl-C, a cancelled flow run);
    the steps check it between batches, and callbacks cut short what is in flight."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self.reason: str | None = None  # why, when someone other than the user stopped it

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Call `callback` when the signal is set (at once if it already is)."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()

    def set(self, reason: str | None = None) -> None:
        """Ask the run to stop (saying why, if not Ctrl-C), and run the callbacks once."""
        with self._lock:
            if not self._event.is_set():
                self.reason = reason
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def is_set(self) -> bool:
        """Tell whether the run was asked to stop."""
        return self._event.is_set()

    def check(self) -> None:
        """Raise RunStopped if the run was asked to stop."""
        if self._event.is_set():
            raise RunStopped("the run was stopped; what it stored stays stored")


@dataclass
class RunContext:
    """What every step of one flow run shares."""

    profile: SiteProfile
    store: Store
    fetcher: Fetcher
    report: RunReport = field(default_factory=RunReport)
    executor: LazyProcessPool | None = None  # worker processes for large runs, or None
    use_executor: bool = False  # large runs only: a pool costs seconds to start
    read_ahead: ReadAhead | None = None  # batches the workers start before they are asked
    site_limit: str | None = None  # Prefect global concurrency limit held while fetching
    db_lock: threading.RLock = field(default_factory=threading.RLock)  # one writer at a time
    stop: StopSignal = field(default_factory=StopSignal)
    features: dict[int, ArticleFeatures] = field(default_factory=dict)  # computed this run
    facts: dict[int, frozenset[str]] = field(default_factory=dict)  # computed this run
    rubrics: dict[str, str] = field(default_factory=dict)  # URL -> the feed's category
    queued: set[str] = field(default_factory=set)  # URLs this run put in the frontier
    batch_size: int = 80
    planned_pages: int = 0  # pages this run means to fetch so far (progress total)
    revisit_min: timedelta = timedelta(minutes=60)  # never re-check an article sooner
    revisit_age_factor: float = 0.75  # ...nor sooner than three quarters of its age
    retry_delays: RetryDelays = field(default_factory=RetryDelays)  # failures, between runs
    catchup_horizon: timedelta = timedelta(days=7)  # ingest reads listings back at most this far
    auto_backfill: bool = False  # start a `backfill` deployment run over a gap (deployments)

    def zone(self) -> ZoneInfo:
        """Return the site's time zone."""
        return ZoneInfo(self.profile.time_zone)

    def forget_all_but(self, article_ids: Iterable[int]) -> None:
        """Drop the per-article caches except for these articles (the next window's edge)."""
        keep = set(article_ids)
        self.features = {k: v for k, v in self.features.items() if k in keep}
        self.facts = {k: v for k, v in self.facts.items() if k in keep}
