"""The fetch log: upsert by URL, attempts counted on errors and reset on success."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from unn_ingest.storage import FetchRecord, Store

AT = datetime(2025, 11, 19, 9, 0, tzinfo=UTC)
URL = "http://127.0.0.1:8765/rss/news_uk.xml"


def _ok(at: datetime = AT, etag: str | None = '"v1"', digest: str = "h1") -> FetchRecord:
    return FetchRecord(URL, "feed", 200, etag, "Wed, 19 Nov 2025 09:00:00 GMT", digest, None, at,
                       archive_ref="warc/2025-11-19.warc.gz#0")  # fmt: skip


def _failed(at: datetime, status: int | None = 503) -> FetchRecord:
    return FetchRecord(URL, "feed", status, None, None, None, f"HTTP {status}", at)


def test_success_is_stored(store: Store) -> None:
    store.record_fetches([_ok()])
    state = store.fetch_states([URL])[URL]
    assert (state.kind, state.status, state.etag, state.content_hash) == ("feed", 200, '"v1"', "h1")
    assert state.last_modified == "Wed, 19 Nov 2025 09:00:00 GMT"
    assert (state.attempts, state.last_error, state.next_attempt_at) == (0, None, None)
    assert state.last_fetched_at == AT
    assert state.archive_ref == "warc/2025-11-19.warc.gz#0"


def test_errors_count_attempts_and_keep_validators(store: Store) -> None:
    store.record_fetches([_ok()])
    for n in range(1, 4):
        store.record_fetches([_failed(AT + timedelta(minutes=n), status=None if n == 2 else 503)])
    state = store.fetch_states([URL])[URL]
    assert state.attempts == 3
    assert state.last_error == "HTTP 503"
    assert (state.etag, state.content_hash) == ('"v1"', "h1")  # still good for a conditional GET
    assert state.last_fetched_at == AT + timedelta(minutes=3)
    assert state.next_attempt_at is not None
    assert state.next_attempt_at > state.last_fetched_at
    assert store.counts()["fetch_errors"] == 1


def test_retry_delay_grows(store: Store) -> None:
    delays = []
    for n in range(3):
        store.record_fetches([_failed(AT)])
        state = store.fetch_states([URL])[URL]
        assert state.next_attempt_at is not None
        delays.append(state.next_attempt_at - AT)
        assert state.attempts == n + 1
    assert delays[0] < delays[1] < delays[2]


def test_success_resets_attempts(store: Store) -> None:
    store.record_fetches([_failed(AT), _failed(AT)])
    store.record_fetches([_ok(AT + timedelta(hours=1), etag='"v2"', digest="h2")])
    state = store.fetch_states([URL])[URL]
    assert (state.attempts, state.last_error, state.next_attempt_at) == (0, None, None)
    assert (state.status, state.etag, state.content_hash) == (200, '"v2"', "h2")
    assert store.counts()["fetch_errors"] == 0


def test_many_urls_are_read_in_chunks(store: Store) -> None:
    urls = [f"http://127.0.0.1:8765/news/s-{n}" for n in range(1200)]
    store.record_fetches([FetchRecord(u, "article", 200, None, None, None, None, AT) for u in urls])
    states = store.fetch_states([*urls, "http://127.0.0.1:8765/news/unknown"])
    assert set(states) == set(urls)
    assert store.known_article_urls(urls) == set()


def test_one_url_failing_twice_in_a_batch(store: Store) -> None:
    other = FetchRecord("http://127.0.0.1:8765/news/x", "article", 200, None, None, "h", None, AT)
    store.record_fetches([_failed(AT), other, _failed(AT + timedelta(seconds=1))])
    states = store.fetch_states([URL, other.url])
    assert states[URL].attempts == 2
    assert (states[other.url].kind, states[other.url].attempts) == ("article", 0)
