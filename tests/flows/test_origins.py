"""The fetcher compares origins whole: a redirect to another port or scheme is refused."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from unn_ingest.config import load_profile
from unn_ingest.flows.fetch.http import Fetcher, FetchPolicy, FetchRequest

ORIGIN = "http://127.0.0.1:8765"


def fetch_redirected(location: str) -> tuple[list[str], str | None]:
    """Fetch a page that redirects to `location`; return the URLs requested and the error."""
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        if request.url.path == "/news/a":
            return httpx.Response(302, headers={"location": location})
        return httpx.Response(200, content=b"<html>moved</html>")

    # robots.txt is another test's subject: here only the redirects are requested
    policy = replace(FetchPolicy.for_profile(load_profile(origin=ORIGIN), rps=0), robots=False)
    with Fetcher(policy, transport=httpx.MockTransport(handler)) as fetcher:
        [outcome] = fetcher.fetch_all([FetchRequest(ORIGIN + "/news/a")])
    return requested, outcome.error


def test_the_profile_policy_names_the_sites_origin() -> None:
    policy = FetchPolicy.for_profile(load_profile(origin=ORIGIN))
    assert policy.allowed_origins == ("http://127.0.0.1:8765",)


@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.1:8766/news/b", "https://127.0.0.1:8765/news/b", "http://127.0.0.1/news/b"],
    ids=["other-port", "other-scheme", "default-port"],
)
def test_a_redirect_off_the_origin_is_refused_before_it_is_requested(location: str) -> None:
    requested, error = fetch_redirected(location)
    assert requested == [ORIGIN + "/news/a"]
    assert error is not None and "not an origin of the site profile" in error


def test_a_redirect_within_the_origin_is_followed() -> None:
    requested, error = fetch_redirected("/news/b")
    assert error is None and requested == [ORIGIN + "/news/a", ORIGIN + "/news/b"]


def test_an_unparseable_redirect_is_a_failure_not_a_crash() -> None:
    requested, error = fetch_redirected("http://[::1/news/b")
    assert set(requested) == {ORIGIN + "/news/a"} and error and "location" in error.lower()
