"""Fault profiles: parsing, which responses they may hit, and determinism per seed."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.replica.conftest import SmallCatalogue
from unn_ingest.replica.faults import FAULT_NAMES, PROFILES, FaultError, FaultPlan, applies
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.site import ReplicaSite


@pytest.mark.parametrize("name", ["none", "flaky", "hostile"])
def test_named_profiles_parse(name: str) -> None:
    plan = FaultPlan.from_profile(name)
    assert (plan.name, dict(plan.rates)) == (name, PROFILES[name])


@pytest.mark.parametrize("name", FAULT_NAMES)
def test_each_fault_name_is_its_own_profile(name: str) -> None:
    assert dict(FaultPlan.from_profile(name).rates) == {name: 1.0}


def test_name_rate_and_lists_parse() -> None:
    plan = FaultPlan.from_profile("503:0.2, 429:0.05")
    assert dict(plan.rates) == {"503": 0.2, "429": 0.05}


@pytest.mark.parametrize("bad", ["gremlins", "503:2", "503:x"], ids=["name", "range", "number"])
def test_bad_profiles_raise(bad: str) -> None:
    with pytest.raises(FaultError):
        FaultPlan.from_profile(bad)


def test_hostile_profile_has_every_fault() -> None:
    assert set(PROFILES["hostile"]) == set(FAULT_NAMES)


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("xml-bomb", "feed", True),
        ("xml-bomb", "article", False),
        ("truncated", "listing", True),
        ("truncated", "feed", False),
        ("503", "amp", True),
        ("503", "truth", False),
        ("503", "robots", False),
    ],
)
def test_profile_faults_hit_only_their_kinds(name: str, kind: str, expected: bool) -> None:
    assert applies(name, kind) is expected


def test_choice_is_deterministic_and_near_its_rate() -> None:
    plan = FaultPlan.from_profile("503:0.2")
    draws = [plan.choose(1, "/news/x", "article", n) for n in range(2000)]
    assert draws == [plan.choose(1, "/news/x", "article", n) for n in range(2000)]
    assert 0.15 < draws.count("503") / len(draws) < 0.25
    assert draws != [plan.choose(2, "/news/x", "article", n) for n in range(2000)]


def test_latency_is_fixed_or_spread_around_its_mean() -> None:
    fixed = FaultPlan.from_profile("latency", latency_ms=250)
    assert fixed.latency_seconds(1, "/a", 0) == 0.25
    spread = FaultPlan.from_profile("flaky", latency_ms=100)
    delays = {spread.latency_seconds(1, "/a", n) for n in range(50)}
    assert len(delays) > 40 and max(delays) <= 0.5


@pytest.fixture
def flaky_server(small_catalogue: SmallCatalogue) -> Iterator[ReplicaServer]:
    """Serve the small catalogue with half of the requests answered 503."""
    with ReplicaServer(ReplicaSite(small_catalogue, FaultPlan.from_profile("503:0.5"))) as s:
        yield s


def statuses(server: ReplicaServer, path: str, count: int) -> list[int]:
    """Fetch a path `count` times and return the statuses."""
    with httpx.Client(base_url=server.base_url) as client:
        return [client.get(path).status_code for _ in range(count)]


def test_profile_faults_repeat_run_to_run(
    small_catalogue: SmallCatalogue, flaky_server: ReplicaServer
) -> None:
    first = statuses(flaky_server, "/rss/news_uk.xml", 20)
    assert set(first) == {200, 503}
    with ReplicaServer(ReplicaSite(small_catalogue, FaultPlan.from_profile("503:0.5"))) as again:
        assert statuses(again, "/rss/news_uk.xml", 20) == first


def test_control_endpoints_are_never_faulted(flaky_server: ReplicaServer) -> None:
    assert set(statuses(flaky_server, "/__truth__", 10)) == {200}
