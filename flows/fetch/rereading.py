"""Re-reading the archive (`reprocess`): one span of a WARC file read and its article pages
analysed, in the process that does it (a worker, as a rule).

The worker reads the bytes itself: the main process sends a file name and two offsets, not
the pages, and gets back the analyses, the counts it reports and where the reading began and
stopped (so that it can check that consecutive spans joined up).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from unn_ingest.extractors.analysis import AnalysisFailure, analyse_pages
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.extractors.urls import article_key, site_origins, url_origin
from unn_ingest.flows import cputime
from unn_ingest.flows.cputime import CpuSeconds
from unn_ingest.flows.fetch.archive import ArchiveDamage, ArchivedPage, ArchiveSpan, SpanReading


@dataclass(frozen=True, slots=True)
class RereadPage:
    """One archived article page and what its analysis gave."""

    url: str  # as requested: a URL's archived versions are grouped by it
    edition: str
    fetched_at: datetime
    result: AnalysedArticle | AnalysisFailure


@dataclass(frozen=True, slots=True)
class SpanWork:
    """What one span of the archive gave, in archive order."""

    span: ArchiveSpan
    pages: tuple[RereadPage, ...]
    elsewhere: tuple[tuple[str, int], ...]  # responses archived from other origins, by origin
    damage: tuple[ArchiveDamage, ...]
    began: int | None  # where the first record read starts (None: the file's end)
    stopped: int | None  # where the reading stopped (the next span's first record; None: the end)
    cpu: CpuSeconds = ()  # a worker's CPU seconds by stage, added to the main process's

    def joins(self, following: SpanWork) -> bool:
        """Tell whether the next span of the same file began where this one stopped."""
        return self.stopped == following.began


def analyse_span(
    folder: Path, span: ArchiveSpan, profile: SiteProfile, editions: Sequence[str] | None
) -> SpanWork:
    """Read a span of the archive and analyse its article pages (in a worker process), with
    the CPU seconds by stage."""
    before, started = cputime.snapshot(), time.process_time()
    work = reread_span(folder, span, profile, editions)
    return replace(work, cpu=cputime.in_worker(before, started, "the rest"))


def reread_span(
    folder: Path, span: ArchiveSpan, profile: SiteProfile, editions: Sequence[str] | None
) -> SpanWork:
    """Read a span of the archive and analyse its archived article pages (of these editions)."""
    damage: list[ArchiveDamage] = []
    reading = SpanReading(folder, span, damage)
    with cputime.stage("read archive"):
        pages, editions_of, elsewhere = _article_pages(reading, profile, editions)
    with cputime.stage("analysis"):
        # linking reads the features of what changed from the stored rows: none computed here
        results = analyse_pages(pages, profile, matching=False)
    reread = tuple(
        RereadPage(page.url, edition, page.fetched_at, result)
        for page, edition, result in zip(pages, editions_of, results, strict=True)
    )
    counts = tuple(elsewhere.items())  # in the order first seen, as one reading counts them
    return SpanWork(span, reread, counts, tuple(damage), reading.began, reading.stopped)


def _article_pages(
    archived: Iterable[ArchivedPage], profile: SiteProfile, editions: Sequence[str] | None
) -> tuple[list[FetchedPage], list[str], Counter[str]]:
    """Return the archived 200 responses of article URLs (of these editions) and their
    editions; count the responses archived from other origins than the site's, by origin."""
    pages, editions_of = [], []
    elsewhere: Counter[str] = Counter()
    ours = site_origins(profile)
    for item in archived:
        key = article_key(item.requested_url, profile)
        origin = url_origin(item.requested_url)
        if origin is not None and origin not in ours:
            elsewhere[origin] += 1
        if item.status != 200 or key is None or (editions and key.edition not in editions):
            continue
        editions_of.append(key.edition)
        pages.append(
            FetchedPage(
                item.requested_url, item.url, item.status, item.headers, item.body, item.fetched_at
            )
        )
    return pages, editions_of, elsewhere
