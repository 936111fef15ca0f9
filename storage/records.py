"""Records that go into the store: what the pipeline hands over to be written.

The articles themselves arrive as the analysis made them (`extractors.records.AnalysedArticle`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """The outcome of one fetch, to be written to the fetch log."""

    url: str
    kind: str  # "article", "feed", "listing", "amp"
    status: int | None  # None: no response (connection error, timeout)
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    error: str | None  # None: success (2xx or 304)
    fetched_at: datetime  # aware
    archive_ref: str | None = None
    transient: bool = True  # a failure worth retrying soon (False: permanent, retried rarely)
    stage: str = "fetch"  # where a failure happened: "fetch", "robots", "extract", ...


@dataclass(frozen=True, slots=True)
class RetryDelays:
    """When later runs retry a failed URL: after `base`, doubling per failure, up to `cap`.

    A permanent failure (a 404, a robots.txt Disallow) is retried only after `cap`.
    """

    base: timedelta = timedelta(minutes=5)
    cap: timedelta = timedelta(days=1)

    def after(self, attempts: int, transient: bool) -> timedelta:
        """Return the delay before the next attempt after `attempts` failed runs."""
        if not transient:
            return self.cap
        return min(self.base * (1 << min(max(attempts, 1) - 1, 20)), self.cap)


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One article of a story group and how it joined the story."""

    article_id: int
    method: str  # "hreflang", "switcher", "content" or "none"
    score: float | None


@dataclass(frozen=True, slots=True)
class StoryGroup:
    """Articles that form one story, as the linker decided."""

    members: tuple[StoryMember, ...]
