"""The state one flow run shares between its steps."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from extractors.matching import ArticleFeatures
from extractors.profile import SiteProfile
from flows.http import Fetcher
from flows.pool import LazyProcessPool
from flows.readahead import ReadAhead
from flows.report import RunReport
from storage import Store


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
    features: dict[int, ArticleFeatures] = field(default_factory=dict)  # computed this run
    facts: dict[int, frozenset[str]] = field(default_factory=dict)  # computed this run
    rubrics: dict[str, str] = field(default_factory=dict)  # URL -> the feed's category
    batch_size: int = 80
    revisit_min: timedelta = timedelta(minutes=10)  # never re-check an article sooner
    revisit_age_factor: float = 0.25  # ...nor sooner than a quarter of its age

    def zone(self) -> ZoneInfo:
        """Return the site's time zone."""
        return ZoneInfo(self.profile.time_zone)

    def forget_all_but(self, article_ids: Iterable[int]) -> None:
        """Drop the per-article caches except for these articles (the next window's edge)."""
        keep = set(article_ids)
        self.features = {k: v for k, v in self.features.items() if k in keep}
        self.facts = {k: v for k, v in self.facts.items() if k in keep}
