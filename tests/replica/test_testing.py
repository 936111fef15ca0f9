"""The test helpers other areas use: `running_replica` and the fixture body."""

from __future__ import annotations

import httpx

from unn_ingest.replica.testing import make_site, replica_server_fixture, running_replica


def test_running_replica_serves_the_real_catalogue_at_its_base_url() -> None:
    with running_replica(seed=1, generated=20, faults="503:0.0") as server:
        truth = httpx.get(f"{server.base_url}/__truth__").json()
        assert truth["origin"] == server.base_url
        first = truth["articles"][0]["url"]
        assert httpx.get(first).status_code == 200
        assert server.site.faults.plan.name == "503:0.0"


def test_fixture_body_yields_a_running_server_and_stops_it() -> None:
    fixture = replica_server_fixture()
    server = next(fixture)
    assert httpx.get(f"{server.base_url}/robots.txt").status_code == 200
    fixture.close()
    assert server.site.origin == server.base_url


def test_make_site_gives_independent_clocks_over_one_catalogue() -> None:
    one, two = make_site(generated=20), make_site(generated=20)
    assert one.catalogue is two.catalogue
    one.clock.advance(3600)
    assert one.now() != two.now()
