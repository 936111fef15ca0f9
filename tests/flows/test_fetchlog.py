"""The fetch log as the frontier sees it: what a run records of each outcome."""

from __future__ import annotations

from pathlib import Path

from unn_ingest.config import load_profile
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.http import Fetcher, FetchOutcome, FetchPolicy, FetchRequest, stopped
from unn_ingest.flows.steps.fetchlog import log_fetches
from unn_ingest.storage import Store

URL = "https://unn.ua/news/a"


def context(tmp_path: Path) -> RunContext:
    store = Store.open(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    fetcher = Fetcher(FetchPolicy(("unn.ua",), "unn-ingest"))
    return RunContext(profile=load_profile(), store=store, fetcher=fetcher)


def test_a_stopped_request_leaves_its_url_due_as_it_was(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    discovered = stopped(FetchRequest(URL)).fetched_at
    ctx.store.add_discovered([URL], "article", discovered)
    log_fetches(ctx, [stopped(FetchRequest(URL))], "article")
    state = ctx.store.fetch_states([URL])[URL]
    assert state.attempts == 0 and state.last_error is None and state.last_fetched_at is None
    assert state.next_attempt_at == discovered
    ctx.store.close()


def test_a_failure_is_recorded_with_its_stage(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    failed = FetchOutcome(URL, error="skipped: disallowed by robots.txt", stage="robots")
    log_fetches(ctx, [failed], "article")
    (state,) = ctx.store.failures()
    assert (state.stage, state.transient, state.attempts) == ("robots", False, 1)
    ctx.store.close()
