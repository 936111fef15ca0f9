"""Work done in worker processes: fetch a batch and analyse its pages, off the main process.

Each worker keeps one `Fetcher` (one client, one event loop) for its lifetime. The main
process keeps the database and the linking; pages travel back without their bodies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import httpx

from unn_ingest.extractors.analysis import AnalysisFailure, analyse_pages
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import (
    AnalysedArticle,
    ArticleFeatures,
    EditionLink,
    ExtractedArticle,
    ImageRef,
    LanguageTag,
    Section,
)
from unn_ingest.flows import cputime
from unn_ingest.flows.cputime import CpuSeconds
from unn_ingest.flows.fetch.http import (
    Fetcher,
    FetchOutcome,
    FetchPolicy,
    FetchRequest,
    stopped,
    tls_context,
)
from unn_ingest.flows.fetch.pool import count_request
from unn_ingest.flows.fetch.transfer import register
from unn_ingest.flows.fetch.transport import ThreadedTransport
from unn_ingest.flows.run_logs import LogLine, capturing_logs

_fetchers: dict[FetchPolicy, Fetcher] = {}
_stop = threading.Event()  # set in a worker when its run is stopped (SIGUSR1 from the pool)


@dataclass(frozen=True, slots=True)
class BatchWork:
    """A fetched and analysed batch: outcomes in request order, analyses in page order."""

    outcomes: tuple[FetchOutcome, ...]
    analysed: tuple[AnalysedArticle | AnalysisFailure, ...]
    robots: tuple[FetchOutcome, ...] = ()  # robots.txt fetches the worker made meanwhile
    logs: tuple[LogLine, ...] = ()  # lines logged in a worker process, replayed by the main one
    cpu: CpuSeconds = ()  # a worker's CPU seconds by stage, added to the main process's


# What a batch is made of, pickled leanly (flows/fetch/transfer.py); this module is imported
# by the main process and the workers alike.
register(
    BatchWork,
    FetchRequest,
    FetchOutcome,
    FetchedPage,
    AnalysedArticle,
    AnalysisFailure,
    ExtractedArticle,
    Section,
    EditionLink,
    ImageRef,
    LanguageTag,
    ArticleFeatures,
)


def fetch_and_analyse(
    requests: list[FetchRequest], policy: FetchPolicy, profile: SiteProfile, slim: bool = True
) -> BatchWork:
    """Fetch a batch and analyse what came back; with `slim`, drop page bodies on return.

    Once the run is stopped, requests not yet fetched come back as stopped, and what was
    fetched is still analysed and returned, so the main process stores it.
    """
    if _stop.is_set():
        return BatchWork(tuple(stopped(r) for r in requests), ())
    before, started = cputime.snapshot(), time.process_time()
    fetcher = _fetchers.get(policy)
    if fetcher is None:
        fetcher = _fetchers[policy] = Fetcher(policy, _threaded(policy))
        fetcher.on_outcome = _count_request
        if _stop.is_set():
            fetcher.stop()
    with capturing_logs() as lines:
        work = analyse_outcomes(fetcher.fetch_all(requests), profile)
    robots = tuple(fetcher.take_robots_fetches())
    outcomes = tuple(_without_body(o) for o in work.outcomes) if slim else work.outcomes
    cpu = cputime.in_worker(before, started, "HTTP client")
    return BatchWork(outcomes, work.analysed, robots, tuple(lines), cpu)


def _threaded(policy: FetchPolicy) -> ThreadedTransport:
    """Return the transport of a worker's fetcher: httpx's blocking one in threads, 0.35 ms
    of CPU cheaper per page than its async one. A worker's fetcher lives as long as the
    worker and is only ever stopped, never closed with requests in flight."""
    limits = httpx.Limits(max_connections=policy.max_concurrency)
    return ThreadedTransport(policy.max_concurrency, verify=tls_context(), limits=limits)


def stop_fetching(*_: object) -> None:
    """Stop this worker's fetches (a signal handler): in-flight requests end as stopped.

    The fetchers are stopped from a thread, as a handler must not wait for their locks.
    """
    _stop.set()
    for fetcher in list(_fetchers.values()):
        threading.Thread(target=fetcher.stop, daemon=True).start()


def _count_request(outcome: FetchOutcome) -> None:
    count_request()


@cputime.staged("analysis")
def analyse_outcomes(outcomes: Sequence[FetchOutcome], profile: SiteProfile) -> BatchWork:
    """Analyse the pages among fetch outcomes (failures and 304s carry no page)."""
    pages = [o.page for o in outcomes if o.page is not None]
    return BatchWork(tuple(outcomes), tuple(analyse_pages(pages, profile)))


def _without_body(outcome: FetchOutcome) -> FetchOutcome:
    if outcome.page is None:
        return outcome
    return replace(outcome, page=replace(outcome.page, body=b""))


def share_of(policy: FetchPolicy, workers: int) -> FetchPolicy:
    """Return one worker's part of a politeness policy, so all together keep to the whole."""
    rate = policy.requests_per_second / workers if policy.requests_per_second > 0 else 0.0
    return replace(
        policy,
        requests_per_second=rate,
        max_concurrency=max(1, policy.max_concurrency // workers),
        crawl_delay_share=policy.crawl_delay_share * workers,
    )
