"""The living replica: removals, moves, outages, the running clock, deterministic plans."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest

from unn_ingest.extractors.clock import parse_clock
from unn_ingest.replica.clock import Clock
from unn_ingest.replica.live import LiveError, LiveEvents, LivePlan, Outage
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.site import ReplicaSite
from unn_ingest.replica.testing import cached_catalogue

from .conftest import START, SmallCatalogue


def a_visible_path(site: ReplicaSite) -> str:
    return next(e.path for e in site.context().snapshot.visible["uk"])


def test_a_removed_article_answers_its_status_and_leaves_listings_and_truth(
    small_catalogue: SmallCatalogue,
) -> None:
    site = ReplicaSite(small_catalogue)
    path = a_visible_path(site)
    site.live.remove(path, START + timedelta(minutes=5), 410)
    assert site.render(path).status == 200  # not yet
    site.clock.advance(600)
    assert site.render(path).status == 410
    assert path not in site.render("/news").text()
    truth = site.truth()
    assert path not in {a["url"].removeprefix(site.origin) for a in truth["articles"]}
    assert [r["url"].removeprefix(site.origin) for r in truth["removed"]] == [path]
    assert truth["removed"][0]["status"] == 410


def test_a_moved_article_redirects_from_its_old_slug_to_the_new_one(
    small_catalogue: SmallCatalogue,
) -> None:
    site = ReplicaSite(small_catalogue)
    path = a_visible_path(site)
    new = site.live.move(site.index, path, START + timedelta(minutes=1), "brand-new-slug")
    site.clock.advance(120)
    old = site.render(path)
    assert old.status == 301
    assert old.headers["location"] == site.origin + new
    assert site.render(new).status == 200
    assert new in site.render("/news").text() and f'"{path}"' not in site.render("/news").text()
    moved = [a for a in site.truth()["articles"] if a["url"] == site.origin + new]
    assert moved and moved[0]["moved_from"] == site.origin + path
    with pytest.raises(LiveError, match="taken"):
        other = next(e.path for e in site.index.by_edition["uk"] if e.path != path)
        site.live.move(site.index, other, START, "brand-new-slug")


def test_an_outage_answers_503_over_http_and_ends(site: ReplicaSite) -> None:
    site.live.add_outage(Outage.parse("2025-11-20T10:00:00Z/2025-11-20T11:00:00Z"))
    with ReplicaServer(site) as server, httpx.Client(base_url=server.base_url) as client:
        assert client.get("/news").status_code == 503
        assert client.get("/__clock__").status_code == 200  # control endpoints stay up
        client.post("/__clock__", json={"advance_seconds": 3600})
        assert client.get("/news").status_code == 200
        added = client.post(
            "/__outages__",
            json={
                "start": "2025-11-20T11:00:00Z",
                "end": "2025-11-20T12:00:00Z",
                "kind": "refused",
            },
        )
        assert len(added.json()["outages"]) == 2
        with pytest.raises(httpx.TransportError):
            client.get("/news")


@pytest.mark.parametrize("text", ["2025-11-20T10:00:00Z", "2025-11-20T11:00Z/2025-11-20T10:00Z"])
def test_bad_outages_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Outage.parse(text)


def test_a_running_clock_moves_and_hands_its_spec_to_the_pipeline() -> None:
    clock = Clock(START, speed=3600)
    time.sleep(0.05)
    assert clock.now() > START
    pipeline = parse_clock(clock.spec())
    assert abs((pipeline.now() - clock.now()).total_seconds()) < 5
    frozen = Clock(START)
    assert frozen.spec() == "2025-11-20T10:00:00Z" and frozen.now() == START


def test_the_live_plan_is_the_same_for_a_seed_and_off_by_default() -> None:
    catalogue = cached_catalogue(1, 300)
    plan = LivePlan(removed_share=0.05, moved_share=0.05)
    first = ReplicaSite(catalogue, live=plan).live
    second = ReplicaSite(catalogue, live=plan).live
    assert first.removals == second.removals and first.removals
    assert {p: m.entry.path for p, m in first.moves.items()} == {
        p: m.entry.path for p, m in second.moves.items()
    }
    assert not ReplicaSite(catalogue).live.active
    assert isinstance(first, LiveEvents)
