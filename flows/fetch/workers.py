"""Work done in worker processes: fetch a batch and analyse its pages, off the main process.

Each worker keeps one `Fetcher` (one client, one event loop) for its lifetime. The main
process keeps the database and the linking; pages travel back without their bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from unn_ingest.extractors.analysis import AnalysedArticle, AnalysisFailure, analyse_pages
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.flows.fetch.http import Fetcher, FetchOutcome, FetchPolicy, FetchRequest
from unn_ingest.flows.run_logs import LogLine, capturing_logs

_fetchers: dict[FetchPolicy, Fetcher] = {}


@dataclass(frozen=True, slots=True)
class BatchWork:
    """A fetched and analysed batch: outcomes in request order, analyses in page order."""

    outcomes: tuple[FetchOutcome, ...]
    analysed: tuple[AnalysedArticle | AnalysisFailure, ...]
    logs: tuple[LogLine, ...] = ()  # lines logged in a worker process, replayed by the main one


def fetch_and_analyse(
    requests: list[FetchRequest], policy: FetchPolicy, profile: SiteProfile, slim: bool = True
) -> BatchWork:
    """Fetch a batch and analyse what came back; with `slim`, drop page bodies on return."""
    fetcher = _fetchers.get(policy)
    if fetcher is None:
        fetcher = _fetchers[policy] = Fetcher(policy)
    with capturing_logs() as lines:
        work = analyse_outcomes(fetcher.fetch_all(requests), profile)
    if slim:
        work = replace(work, outcomes=tuple(_without_body(o) for o in work.outcomes))
    return replace(work, logs=tuple(lines))


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
        policy, requests_per_second=rate, max_concurrency=max(1, policy.max_concurrency // workers)
    )
