"""The frontier: discovered URLs wait in the fetch log; `next_attempt_at` decides retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from unn_ingest.storage import FetchRecord, RetryDelays, Store
from unn_ingest.storage.frontier import CLAIM

from .conftest import MakeInput

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
DELAYS = RetryDelays(base=timedelta(minutes=5), cap=timedelta(hours=2))
A, B, C = (f"http://127.0.0.1:8765/news/{s}" for s in ("a", "b", "c"))


def failed(url: str, at: datetime, transient: bool = True, stage: str = "fetch") -> FetchRecord:
    return FetchRecord(
        url=url,
        kind="article",
        status=503 if transient else 404,
        etag=None,
        last_modified=None,
        content_hash=None,
        error="HTTP 503" if transient else "HTTP 404",
        fetched_at=at,
        transient=transient,
        stage=stage,
    )


def test_discovered_urls_are_due_at_once_and_counted_once(store: Store) -> None:
    assert store.add_discovered([A, B, A], "article", NOW) == 2
    assert store.add_discovered([B, C], "article", NOW) == 1
    state = store.fetch_states([A])[A]
    assert state.next_attempt_at == NOW  # due at once for the run that listed it
    assert state.discovered_at == NOW and state.attempts == 0 and state.last_error is None
    assert store.due_urls("article", NOW + CLAIM) == [A, B, C]


def test_a_url_no_run_attempted_yet_is_left_to_its_discoverer_for_a_while(store: Store) -> None:
    store.add_discovered([A, B], "article", NOW)
    store.record_fetches([failed(B, NOW)], DELAYS)  # attempted: anyone's once due
    later = NOW + DELAYS.base
    assert store.due_urls("article", later) == [B]
    assert store.due_urls("article", NOW + CLAIM - timedelta(seconds=1)) == [B]
    assert store.due_urls("article", NOW + CLAIM) == [A, B]  # its discoverer died, say


def test_a_fetched_article_is_due_until_it_is_stored(store: Store, make_input: MakeInput) -> None:
    stored = make_input("en", "a-story")
    url = stored.article.url
    ok = FetchRecord(url, "article", 200, None, None, None, None, NOW)
    store.record_fetches([ok], DELAYS)
    assert store.due_urls("article", NOW + DELAYS.base) == [url]
    store.upsert_articles([stored])
    assert store.due_urls("article", NOW + DELAYS.base) == []


def test_a_stored_article_is_no_longer_due(store: Store, make_input: MakeInput) -> None:
    stored = make_input("en", "a-story")
    store.add_discovered([stored.article.url, B], "article", NOW)
    store.upsert_articles([stored])
    assert store.due_urls("article", NOW + CLAIM) == [B]


def test_transient_failures_wait_longer_after_each_run(store: Store) -> None:
    store.add_discovered([A], "article", NOW)
    waits = []
    for run in range(4):
        at = NOW + timedelta(hours=run)
        store.record_fetches([failed(A, at)], DELAYS)
        state = store.fetch_states([A])[A]
        assert state.next_attempt_at is not None
        waits.append(state.next_attempt_at - at)
        assert store.due_urls("article", at) == []
        assert store.due_urls("article", state.next_attempt_at) == [A]
    assert waits == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    state = store.fetch_states([A])[A]
    assert state.attempts == 4 and state.transient is True and state.stage == "fetch"
    assert state.discovered_at == NOW  # kept through the failures


def test_a_permanent_failure_waits_the_longest_delay_and_keeps_its_reason(store: Store) -> None:
    store.record_fetches([failed(A, NOW, transient=False, stage="robots")], DELAYS)
    state = store.fetch_states([A])[A]
    assert state.next_attempt_at == NOW + DELAYS.cap
    assert state.transient is False and state.stage == "robots" and state.last_error == "HTTP 404"


def test_success_clears_the_retry_state(store: Store) -> None:
    store.record_fetches([failed(A, NOW)], DELAYS)
    ok = FetchRecord(A, "article", 200, None, None, None, None, NOW + timedelta(hours=1))
    store.record_fetches([ok], DELAYS)
    state = store.fetch_states([A])[A]
    # not "done" until stored: an article page fetched but not stored is due again later
    assert state.next_attempt_at == NOW + timedelta(hours=1) + DELAYS.base
    assert state.attempts == 0
    assert state.last_error is None and state.stage is None and state.transient is None
    assert store.failures() == []


def test_failures_lists_the_latest_first_and_filters_by_time(store: Store) -> None:
    store.record_fetches([failed(A, NOW)], DELAYS)
    store.record_fetches([failed(B, NOW + timedelta(hours=1), transient=False)], DELAYS)
    store.add_discovered([C], "article", NOW)  # pending, not failed
    assert [f.url for f in store.failures()] == [B, A]
    assert [f.url for f in store.failures(NOW + timedelta(minutes=30))] == [B]


def test_a_run_releases_only_what_it_queued_and_never_attempted(store: Store) -> None:
    store.add_discovered([A, B, C], "article", NOW)
    store.record_fetches([failed(B, NOW)], DELAYS)  # attempted: its retry waits, release or not
    assert store.release_claims([A, B]) == 1  # C is another run's, B no longer queued
    assert store.due_urls("article", NOW) == [A]
    assert store.due_urls("article", NOW + DELAYS.base) == [A, B]
    assert store.due_urls("article", NOW + CLAIM) == [A, C, B]  # by when each is due
    assert store.release_claims([A]) == 0  # once
