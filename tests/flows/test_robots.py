"""robots.txt: parsed as RFC 9309 has it, fetched once per origin, obeyed for every request."""

from __future__ import annotations

import time

import httpx
import pytest

from unn_ingest.flows.fetch.http import Fetcher, FetchOutcome, FetchPolicy, FetchRequest
from unn_ingest.flows.fetch.robots import parse_robots, product_token, rules_for_response

AGENT = "unn-ingest/0.1 (+mailto:ops@example.org)"
POLICY = FetchPolicy(
    allowed_hosts=("site.test",),
    user_agent=AGENT,
    requests_per_second=0,
    max_retry_after=0.05,
    backoff_seconds=0.01,
    backoff_cap_seconds=0.02,
)


def serve(
    robots: tuple[int, bytes], seen: list[str], policy: FetchPolicy = POLICY, *urls: str
) -> tuple[list[FetchOutcome], list[FetchOutcome]]:
    """Fetch URLs from a site with this robots.txt; return outcomes and robots.txt fetches."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(robots[0], content=robots[1])
        return httpx.Response(200, content=b"<html>page</html>")

    with Fetcher(policy, transport=httpx.MockTransport(handler)) as fetcher:
        outcomes = fetcher.fetch_all([FetchRequest(u) for u in urls])
        return outcomes, fetcher.take_robots_fetches()


@pytest.mark.parametrize(
    ("body", "path", "allowed"),
    [
        (b"User-agent: *\nDisallow: /news/secret\n", "/news/secret-plan", False),
        (b"User-agent: *\nDisallow: /news/secret\n", "/news/open", True),
        (b"User-agent: *\nDisallow: /news/\nAllow: /news/ok\n", "/news/ok-1", True),
        (b"User-agent: *\nDisallow: /*.pdf$\n", "/files/a.pdf", False),
        (b"User-agent: *\nDisallow: /*.pdf$\n", "/files/a.pdf.html", True),
        (b"User-agent: other\nDisallow: /\n", "/news/a", True),
        (b"User-agent: unn-ingest\nDisallow: /\n\nUser-agent: *\nAllow: /\n", "/news/a", False),
        (b"User-agent: *\nDisallow:\n", "/anything", True),
        (b"# only a comment\n", "/anything", True),
    ],
    ids=[
        "prefix-disallowed",
        "other-path",
        "longest-allow-wins",
        "wildcard-and-end",
        "end-anchor",
        "other-agent-only",
        "own-group-before-star",
        "empty-disallow",
        "comments-only",
    ],
)
def test_rules_decide_by_the_longest_matching_line(body: bytes, path: str, allowed: bool) -> None:
    rules = parse_robots(body, AGENT)
    assert rules.state == "rules"
    assert rules.allows(f"http://site.test{path}") is allowed


@pytest.mark.parametrize(
    ("status", "body", "state", "allows"),
    [
        (404, b"", "missing", True),
        (403, b"", "missing", True),
        (200, b"\x89PNG\x00\xff\xfe", "broken", True),
        (200, b"<html><body>Welcome</body></html>", "broken", True),
        (503, b"", "unreachable", False),
        (None, b"", "unreachable", False),
    ],
    ids=["404-allows", "403-allows", "binary-broken", "html-broken", "503-waits", "no-answer"],
)
def test_robots_responses_follow_the_rfc(
    status: int | None, body: bytes, state: str, allows: bool
) -> None:
    rules = rules_for_response(status, body, AGENT, expires_at=0)
    assert rules.state == state
    assert rules.allows("http://site.test/news/a") is allows


def test_product_token_is_what_groups_are_matched_against() -> None:
    assert product_token(AGENT) == "unn-ingest"


def test_a_disallowed_url_is_never_requested_and_says_so() -> None:
    seen: list[str] = []
    robots = (200, b"User-agent: *\nDisallow: /news/secret\n")
    (secret, fine), fetched = serve(
        robots, seen, POLICY, "http://site.test/news/secret", "http://site.test/news/fine"
    )
    assert "/news/secret" not in seen and "/news/fine" in seen
    assert secret.error == "skipped: disallowed by robots.txt"
    assert secret.stage == "robots" and not secret.transient
    assert fine.ok
    assert seen.count("/robots.txt") == 1 and [f.error for f in fetched] == [None]


def test_a_missing_robots_txt_allows_everything() -> None:
    seen: list[str] = []
    (outcome,), fetched = serve((404, b""), seen, POLICY, "http://site.test/news/a")
    assert outcome.ok and seen == ["/robots.txt", "/news/a"]
    assert fetched[0].status == 404 and fetched[0].error is None


def test_a_broken_robots_txt_allows_everything_and_is_recorded() -> None:
    seen: list[str] = []
    (outcome,), fetched = serve((200, b"\x00\xff garbage"), seen, POLICY, "http://site.test/x")
    assert outcome.ok and "/x" in seen
    assert fetched[0].error is not None and "not UTF-8" in fetched[0].error


def test_an_unreachable_robots_txt_holds_every_request_back() -> None:
    seen: list[str] = []
    (outcome,), fetched = serve((503, b""), seen, POLICY, "http://site.test/news/a")
    assert "/news/a" not in seen
    assert not outcome.ok and outcome.transient and outcome.stage == "robots"
    assert outcome.error is not None and "robots.txt unreachable (HTTP 503)" in outcome.error
    assert seen.count("/robots.txt") == POLICY.max_attempts  # asked again before each attempt
    assert all(f.error for f in fetched)


def test_a_robots_txt_that_recovers_lets_the_request_through() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(503 if seen.count("/robots.txt") == 1 else 200, content=b"")
        return httpx.Response(200, content=b"ok")

    fetcher = Fetcher(POLICY, transport=httpx.MockTransport(handler))
    (outcome,) = fetcher.fetch_all([FetchRequest("http://site.test/news/a")])
    fetcher.close()
    assert outcome.ok and outcome.attempts == 2


def test_crawl_delay_spaces_requests_even_without_pacing() -> None:
    seen: list[str] = []
    robots = (200, b"User-agent: *\nCrawl-delay: 0.1\n")
    urls = [f"http://site.test/news/{n}" for n in range(4)]
    start = time.monotonic()
    outcomes, _ = serve(robots, seen, POLICY, *urls)
    assert all(o.ok for o in outcomes)
    assert time.monotonic() - start >= 0.3  # 4 requests, 3 gaps of 0.1 s at least


def test_robots_rules_expire_and_are_fetched_again() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, content=b"User-agent: *\nAllow: /\n")

    policy = FetchPolicy(("site.test",), AGENT, requests_per_second=0, robots_cache_seconds=0.05)
    with Fetcher(policy, transport=httpx.MockTransport(handler)) as fetcher:
        fetcher.fetch_all([FetchRequest("http://site.test/a")])
        fetcher.fetch_all([FetchRequest("http://site.test/b")])
        time.sleep(0.06)
        fetcher.fetch_all([FetchRequest("http://site.test/c")])
    assert seen.count("/robots.txt") == 2


def test_the_user_agent_carries_the_contact_from_settings() -> None:
    from unn_ingest.config import Settings

    settings = Settings(contact="mailto:ops@example.org")
    assert settings.user_agent_for("unn-ingest/0.1") == AGENT
    assert Settings().user_agent_for("unn-ingest/0.1") == "unn-ingest/0.1"
