"""Every replica fault and robots.txt variant against the real flow: the outcome as specified.

Retried and stored (a transient fault); refused (a redirect off the site); recorded with its
reason (what cannot be stored), and listed by `unn-ingest failures`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.flows.ingest import ingest
from unn_ingest.flows.outcome import RunFailedError
from unn_ingest.replica.robots import RobotsVariant
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]
_register_subcommands()

STORED = "stored"


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    with running_replica(seed=5, generated=8) as server:
        yield server


@pytest.fixture
def settings(fast_site_settings: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UNN_INGEST_RETRY_DELAY_SECONDS", "0")  # a later run retries at once
    return fast_site_settings


def uk_article(server: ReplicaServer) -> str:
    articles = httpx.get(server.base_url + "/__truth__").json()["articles"]
    return str(next(a["url"] for a in articles if a["edition"] == "uk"))


def run(server: ReplicaServer, data_dir: Path) -> dict[str, Any]:
    return asyncio.run(ingest(["uk"], server.base_url, None, str(data_dir)))


def stored_urls(data_dir: Path) -> set[str]:
    with Store.open(f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}") as store:
        return {r["url"] for r in store.iter_export(None, None)}


def listed_failures(data_dir: Path) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(app, ["failures", "--json", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    return {row["url"]: row for row in json.loads(result.output)}


def requested_paths(server: ReplicaServer) -> list[str]:
    """Record every path the replica is asked for (wraps its renderer)."""
    seen: list[str] = []
    render = server.site.render

    def recording(path: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(path)
        return render(path, *args, **kwargs)

    server.site.render = recording  # type: ignore[method-assign]
    return seen


# fault -> (times forced on one article, expected: "stored" or a reason's words)
ARTICLE_FAULTS = {
    "429": (1, STORED),
    "429-date": (1, STORED),
    "503": (1, STORED),
    "latency": (1, STORED),
    "reset": (1, STORED),
    "cp1251": (None, STORED),
    "no-charset": (None, STORED),
    "redirect": (None, "not a host of the site profile"),
    "oversized": (None, "response too large"),
}


@pytest.mark.parametrize("fault", list(ARTICLE_FAULTS))
def test_an_article_fault_ends_as_specified(
    replica: ReplicaServer, settings: Path, fault: str
) -> None:
    url = uk_article(replica)
    times, expected = ARTICLE_FAULTS[fault]
    replica.site.force_fault(httpx.URL(url).path, fault, times)
    summary = run(replica, settings)
    failures = listed_failures(settings)
    if expected == STORED:
        assert url in stored_urls(settings), summary["failures"]
        assert url not in failures
    else:
        assert url not in stored_urls(settings)
        assert expected in failures[url]["reason"]
        assert failures[url]["retry"] == "permanent" and failures[url]["next_attempt_at"]
        assert any(f["url"] == url and expected in f["reason"] for f in summary["failures"])


def test_a_truncated_page_is_stored_once_it_comes_whole(
    replica: ReplicaServer, settings: Path
) -> None:
    url = uk_article(replica)
    replica.site.force_fault(httpx.URL(url).path, "truncated", 1)
    run(replica, settings)
    run(replica, settings)
    assert url in stored_urls(settings)


@pytest.mark.parametrize("fault", ["malformed-feed", "xml-bomb"])
def test_a_feed_fault_is_recorded_and_the_listing_still_finds_the_articles(
    replica: ReplicaServer, settings: Path, fault: str
) -> None:
    replica.site.force_fault("/rss/news_uk.xml", fault)
    summary = run(replica, settings)
    assert any(f["url"].endswith("/rss/news_uk.xml") for f in summary["failures"])
    assert summary["editions"]["uk"]["new"] > 0


def test_a_transient_failure_is_retried_by_the_next_run_though_no_listing_shows_it(
    replica: ReplicaServer, settings: Path
) -> None:
    url = uk_article(replica)
    replica.site.force_fault(httpx.URL(url).path, "503", 3)  # every attempt of the first run
    run(replica, settings)
    failure = listed_failures(settings)[url]
    assert failure["retry"] == "transient" and failure["attempts"] == 1
    assert failure["reason"] == "HTTP 503"
    replica.site.force_fault("/rss/news_uk.xml", "redirect")  # nothing is discovered...
    replica.site.force_fault("/news", "redirect")  # ...this time: the run ends Failed
    with pytest.raises(RunFailedError, match="nothing could be discovered"):
        run(replica, settings)
    assert url in stored_urls(settings) and url not in listed_failures(settings)


def test_a_failure_not_due_yet_is_left_alone(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    url = uk_article(replica)
    replica.site.force_fault(httpx.URL(url).path, "503", 3)
    run(replica, fast_site_settings)  # the profile's delay: five minutes
    seen = requested_paths(replica)
    run(replica, fast_site_settings)
    assert httpx.URL(url).path not in seen
    assert listed_failures(fast_site_settings)[url]["attempts"] == 1


def test_a_path_disallowed_by_robots_is_never_requested(
    replica: ReplicaServer, settings: Path
) -> None:
    url = uk_article(replica)
    path = httpx.URL(url).path
    replica.site.robots = RobotsVariant(f"disallow:{path}")
    seen = requested_paths(replica)
    run(replica, settings)
    assert "/robots.txt" in seen and path not in seen
    assert url not in stored_urls(settings)
    failure = listed_failures(settings)[url]
    assert failure["stage"] == "robots" and failure["reason"] == "skipped: disallowed by robots.txt"
    assert len(stored_urls(settings)) > 0  # the rest is fetched


@pytest.mark.parametrize("variant", ["missing", "broken"])
def test_a_missing_or_broken_robots_txt_allows_everything(
    replica: ReplicaServer, settings: Path, variant: str
) -> None:
    replica.site.robots = RobotsVariant(variant)
    summary = run(replica, settings)
    assert summary["editions"]["uk"]["new"] > 0
    robots_failures = [f for f in summary["failures"] if f["stage"] == "robots"]
    if variant == "broken":
        assert robots_failures and "not UTF-8" in robots_failures[0]["reason"]
        assert any(u.endswith("/robots.txt") for u in listed_failures(settings))
    else:
        assert not robots_failures


def test_an_unreachable_robots_txt_waits_and_the_next_run_catches_up(
    replica: ReplicaServer, settings: Path
) -> None:
    replica.site.robots = RobotsVariant("5xx")
    seen = requested_paths(replica)
    with pytest.raises(RunFailedError, match=r"robots.txt unreachable \(HTTP 503\)"):
        run(replica, settings)  # the site could not be read: the run ends Failed
    assert set(seen) == {"/robots.txt"}  # nothing else was asked for
    assert stored_urls(settings) == set()
    replica.site.robots = RobotsVariant("allow")
    second = run(replica, settings)
    assert second["editions"]["uk"]["new"] > 0
    assert not [u for u in listed_failures(settings) if "/news/" in u]
