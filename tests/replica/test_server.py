"""The server on a real socket: base URL, control endpoints, statistics, 304s."""

from __future__ import annotations

import httpx

from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.site import ReplicaSite


def test_base_url_has_the_real_port_and_feeds_the_site_origin(
    site: ReplicaSite, server: ReplicaServer
) -> None:
    assert server.port > 0
    assert server.base_url == f"http://127.0.0.1:{server.port}"
    truth = httpx.get(f"{server.base_url}/__truth__").json()
    assert truth["origin"] == server.base_url
    assert all(a["url"].startswith(server.base_url + "/") for a in truth["articles"])


def test_every_truth_url_answers_200_over_http(server: ReplicaServer) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        truth = client.get("/__truth__").json()
        for record in truth["articles"][:20]:
            response = client.get(record["url"])
            assert response.status_code == 200
            assert record["title"] in response.text


def test_clock_endpoint_reads_sets_and_advances(site: ReplicaSite, server: ReplicaServer) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        assert client.get("/__clock__").json() == {"now": "2025-11-20T10:00:00Z"}
        moved = client.post("/__clock__", json={"advance_seconds": 7200})
        assert moved.json() == {"now": "2025-11-20T12:00:00Z"}
        assert client.get("/news/fut-uk-slug").status_code == 200
        reset = client.post("/__clock__", json={"now": "2025-11-20T12:00:00+02:00"})
        assert reset.json() == {"now": "2025-11-20T10:00:00Z"}
        assert client.post("/__clock__", json={"later": 1}).status_code == 400
        assert client.post("/__clock__", json={"now": "soon"}).status_code == 400
    assert site.now().isoformat() == "2025-11-20T10:00:00+00:00"


def test_stats_count_requests_by_kind_faults_and_304s(
    site: ReplicaSite, server: ReplicaServer
) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        etag = client.get("/news/hre-uk-slug").headers["etag"]
        client.get("/news/hre-uk-slug", headers={"If-None-Match": etag})
        client.get("/rss/news_uk.xml")
        client.get("/nothing")
        site.force_fault("/news", "503", times=1)
        client.get("/news")
        stats = client.get("/__stats__").json()
    assert stats["requests"] == {"article": 2, "feed": 1, "listing": 1, "not_found": 1}
    assert stats["faults"] == {"503": 1}
    assert stats["not_modified"] == 1
    assert stats["total"] == 5


def test_conditional_get_over_http(server: ReplicaServer) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        first = client.get("/rss/news_ru.xml")
        since = {"If-Modified-Since": first.headers["last-modified"]}
        again = client.get("/rss/news_ru.xml", headers=since)
    assert (again.status_code, again.content) == (304, b"")


def test_head_requests_get_headers_only(server: ReplicaServer) -> None:
    response = httpx.head(f"{server.base_url}/news/hre-uk-slug")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_server_restarts_on_a_new_port(site: ReplicaSite) -> None:
    with ReplicaServer(site) as first:
        first_url = first.base_url
    with ReplicaServer(site) as second:
        assert httpx.get(f"{second.base_url}/robots.txt").status_code == 200
        assert site.origin == second.base_url
    assert first_url.startswith("http://127.0.0.1:")
