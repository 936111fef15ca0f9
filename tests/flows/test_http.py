"""The fetcher: retries, Retry-After, conditional GET, host restriction, size cap."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from unn_ingest.flows.fetch.http import (
    Fetcher,
    FetchOutcome,
    FetchPolicy,
    FetchRequest,
    _retry_after,
)

POLICY = FetchPolicy(
    allowed_hosts=("site.test",),
    user_agent="unn-ingest-test",
    requests_per_second=0,
    max_attempts=3,
    max_retry_after=0.05,
    max_bytes=1000,
    backoff_seconds=0.001,
    robots=False,  # robots.txt has its own tests (test_robots.py)
)


def fetch(
    handler: Callable[[httpx.Request], httpx.Response], *urls: str, policy: FetchPolicy = POLICY
) -> list[FetchOutcome]:
    fetcher = Fetcher(policy, transport=httpx.MockTransport(handler))
    return fetcher.fetch_all([FetchRequest(u) for u in urls])


def test_success_gives_a_page_with_body_and_headers() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["user-agent"] == "unn-ingest-test"
        return httpx.Response(200, content=b"<html>ok</html>", headers={"ETag": '"v1"'})

    (outcome,) = fetch(handler, "http://site.test/news/a")
    assert outcome.ok and outcome.page is not None
    assert outcome.page.body == b"<html>ok</html>"
    assert outcome.page.header("etag") == '"v1"'


@pytest.mark.parametrize("status", [429, 503], ids=["429", "503"])
def test_transient_status_is_retried_until_success(status: int) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        if len(calls) < 3:
            return httpx.Response(status, headers={"Retry-After": "0"})
        return httpx.Response(200, content=b"fine")

    (outcome,) = fetch(handler, "http://site.test/x")
    assert outcome.ok and outcome.attempts == 3 and len(calls) == 3


def test_transient_failure_gives_up_after_max_attempts_with_reason() -> None:
    (outcome,) = fetch(lambda r: httpx.Response(503), "http://site.test/x")
    assert not outcome.ok and outcome.transient
    assert outcome.error == "HTTP 503" and outcome.attempts == 3


def test_not_found_is_permanent_and_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404)

    (outcome,) = fetch(handler, "http://site.test/x")
    assert outcome.error == "HTTP 404" and not outcome.transient and len(calls) == 1


def test_connection_error_is_reported_not_raised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    (outcome,) = fetch(handler, "http://site.test/x")
    assert outcome.error is not None and "connection failed" in outcome.error


def test_redirect_to_another_host_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://elsewhere.test/page"})

    (outcome,) = fetch(handler, "http://site.test/x")
    assert outcome.error is not None and "elsewhere.test" in outcome.error
    assert not outcome.transient


def test_redirect_within_the_site_is_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(200, content=b"new")

    (outcome,) = fetch(handler, "http://site.test/old")
    assert outcome.page is not None and outcome.page.final_url == "http://site.test/new"
    assert outcome.page.url == "http://site.test/old"


def test_request_to_a_host_outside_the_profile_is_never_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("must not be called")

    (outcome,) = fetch(handler, "http://other.test/x")
    assert outcome.error is not None and "not a host of the site profile" in outcome.error


def test_oversized_body_is_refused() -> None:
    (outcome,) = fetch(lambda r: httpx.Response(200, content=b"x" * 5000), "http://site.test/big")
    assert outcome.error is not None and "too large" in outcome.error


def test_conditional_get_sends_validators_and_reports_not_modified() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["if-none-match"] == '"v1"'
        assert request.headers["if-modified-since"] == "Wed, 05 Feb 2025 10:18:00 GMT"
        return httpx.Response(304)

    fetcher = Fetcher(POLICY, transport=httpx.MockTransport(handler))
    request = FetchRequest("http://site.test/a", '"v1"', "Wed, 05 Feb 2025 10:18:00 GMT")
    (outcome,) = fetcher.fetch_all([request])
    assert outcome.ok and outcome.not_modified and outcome.page is None


def test_outcomes_keep_request_order() -> None:
    urls = [f"http://site.test/{i}" for i in range(20)]
    outcomes = fetch(lambda r: httpx.Response(200, content=r.url.path.encode()), *urls)
    assert [o.page.body for o in outcomes if o.page] == [f"/{i}".encode() for i in range(20)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        ("1000", 60.0),
        (None, None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
    ids=["seconds", "capped", "absent", "garbage", "past-date"],
)
def test_retry_after_parsing(value: str | None, expected: float | None) -> None:
    assert _retry_after(value, cap=60.0) == expected


def test_stop_ends_requests_in_flight_and_keeps_what_was_fetched() -> None:
    import asyncio
    import threading
    import time

    fast_done = threading.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/slow":
            await asyncio.sleep(30)
        else:
            fast_done.set()
        return httpx.Response(200, content=b"page")

    fetcher = Fetcher(POLICY, transport=httpx.MockTransport(handler))
    outcomes: list[FetchOutcome] = []
    run = threading.Thread(
        target=lambda: outcomes.extend(
            fetcher.fetch_all(
                [FetchRequest("http://site.test/fast"), FetchRequest("http://site.test/slow")]
            )
        )
    )
    started = time.monotonic()
    run.start()
    assert fast_done.wait(5)
    fetcher.stop()
    run.join(5)
    assert time.monotonic() - started < 5
    fast, slow = outcomes
    assert fast.ok and fast.page is not None
    assert slow.error == "stopped before it was fetched" and slow.transient
    (later,) = fetcher.fetch_all([FetchRequest("http://site.test/fast")])
    assert later.error == "stopped before it was fetched"
    fetcher.close()
