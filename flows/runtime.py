"""Build what a flow run needs (profile, store, fetcher, worker pool) from settings."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

from unn_ingest.config import ProfileError, Settings, load_profile
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.urls import article_key
from unn_ingest.flows.context import RunContext, StopSignal
from unn_ingest.flows.errors import ConfigError
from unn_ingest.flows.fetch.http import Fetcher, FetchPolicy
from unn_ingest.flows.fetch.pool import LazyProcessPool
from unn_ingest.flows.fetch.site_limit import check_site_limit
from unn_ingest.flows.report import progress
from unn_ingest.flows.server_watch import on_hard_exit
from unn_ingest.storage import RetryDelays, Store

log = logging.getLogger(__name__)


def resolve_settings(**overrides: Any) -> Settings:
    """Return settings from the environment with non-None overrides applied."""
    values = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**values)


@contextmanager
def open_run(settings: Settings, stop: StopSignal | None = None) -> Iterator[RunContext]:
    """Yield a run context for these settings, closing the store and pool afterwards.

    Setting `stop` cuts short the fetches in flight, here and in the workers (which return
    what they fetched, to be stored); workers that have not returned within
    `STOP_GRACE_SECONDS` are killed. Every request done is reported as progress ("pages").
    """
    try:
        profile = load_profile(settings.profile, origin=settings.origin)
    except ProfileError as exc:
        raise ConfigError(str(exc)) from exc
    check_site_limit(settings.site_limit)
    policy = fetch_policy(settings, profile)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(settings.database_url())
    pool = LazyProcessPool(settings.workers, _pages_done) if settings.workers > 1 else None
    fetcher = Fetcher(policy)
    fetcher.on_outcome = lambda outcome: _pages_done(int(is_article(outcome.url, profile)))
    stop = stop or StopSignal()
    stop.on_stop(fetcher.stop)
    if pool is not None:
        stop.on_stop(pool.interrupt)
        stop.on_stop(lambda: _later(STOP_GRACE_SECONDS, pool.terminate))
    forget_pool = on_hard_exit(pool.abandon) if pool is not None else (lambda: None)
    ended = False  # the run's steps returned (done or stopped), rather than raised
    try:
        ctx = RunContext(
            profile=profile,
            store=store,
            fetcher=fetcher,
            executor=pool,
            site_limit=settings.site_limit,
            batch_size=settings.batch_size,
            revisit_min=timedelta(minutes=settings.revisit_min_minutes),
            revisit_age_factor=settings.revisit_age_factor,
            retry_delays=retry_delays(settings, profile),
            stop=stop,
            catchup_horizon=timedelta(days=settings.catchup_horizon_days),
            auto_backfill=settings.auto_backfill,
        )
        yield ctx
        ended = True
    finally:
        if ended:  # not after a fault: a database that is down would be waited for again
            release_queued(ctx)
        forget_pool()
        fetcher.close()
        if pool is not None:
            pool.shutdown()
        store.checkpoint()  # the .sqlite3 file alone then holds every row
        store.close()
        return_free_memory()


def return_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's `malloc_trim`; elsewhere
    nothing): a process that does one run after another (`serve`'s in-process runs, the
    benchmarks) would otherwise keep every run's free memory, spread over its threads'
    arenas, and its resident size would creep up from run to run."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is not None:
        trim(0)


def release_queued(ctx: RunContext) -> None:
    """Release the URLs this run put in the frontier and never attempted (a stop left them,
    or the run chose not to fetch them): the next run fetches them instead of leaving them to
    this run's claim for hours."""
    with ctx.db_lock:
        released = ctx.store.release_claims(ctx.queued)
    if released:
        log.info("frontier: %d queued URLs not attempted, left to the next run", released)


STOP_GRACE_SECONDS = 5.0  # a stopped worker returns within this, or is killed


def _pages_done(count: int) -> None:
    if count:
        progress("pages", count)


def is_article(url: str, profile: SiteProfile) -> bool:
    """Tell whether a URL is an article page (listings and feeds are not counted as pages)."""
    return article_key(url, profile) is not None


def _later(seconds: float, call: Callable[[], None]) -> None:
    timer = threading.Timer(seconds, call)
    timer.daemon = True
    timer.start()


def fetch_policy(settings: Settings, profile: SiteProfile) -> FetchPolicy:
    """Return the run's politeness: the profile's, with the settings' overrides and archive."""
    rps, concurrency = settings.pacing()  # the replica on loopback is not paced
    policy = FetchPolicy.for_profile(
        profile,
        rps=rps,
        concurrency=concurrency,
        user_agent=settings.user_agent_for(profile.user_agent),
    )
    if not settings.archive:
        return policy
    return replace(
        policy,
        archive_dir=str((settings.data_dir / "warc").resolve()),
        archive_max_bytes=int(settings.archive_max_mb * 1024 * 1024),
    )


def retry_delays(settings: Settings, profile: SiteProfile) -> RetryDelays:
    """Return when later runs retry failures: the profile's delays, the base overridable."""
    limits = profile.retries
    base = limits.retry_delay_seconds
    if settings.retry_delay_seconds is not None:
        base = settings.retry_delay_seconds
    cap = max(base, limits.retry_delay_cap_seconds)
    if settings.retry_delay_cap_seconds is not None:
        cap = settings.retry_delay_cap_seconds
    return RetryDelays(timedelta(seconds=base), timedelta(seconds=cap))
