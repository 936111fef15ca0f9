"""Each fault, served over a real socket as docs/site-model.md and issue 2 specify."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import httpx
import pytest
from lxml import etree

from unn_ingest.replica.faults import OVERSIZED_BYTES
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.site import ReplicaSite

ARTICLE = "/news/hre-uk-slug"
FEED = "/rss/news_en.xml"


@pytest.fixture
def client(server: ReplicaServer) -> Iterator[httpx.Client]:
    """Return an httpx client on the running replica (no redirects followed)."""
    with httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=10) as c:
        yield c


def forced(site: ReplicaSite, client: httpx.Client, path: str, fault: str) -> httpx.Response:
    """Force `fault` once on `path` and fetch it."""
    site.force_fault(path, fault, times=1)
    return client.get(path)


def test_429_with_retry_after_seconds(site: ReplicaSite, client: httpx.Client) -> None:
    response = forced(site, client, ARTICLE, "429")
    assert response.status_code == 429
    assert response.headers["retry-after"].isdigit()


def test_429_with_retry_after_http_date(site: ReplicaSite, client: httpx.Client) -> None:
    response = forced(site, client, ARTICLE, "429-date")
    assert response.status_code == 429
    retry_at = parsedate_to_datetime(response.headers["retry-after"])
    assert retry_at > parsedate_to_datetime(response.headers["date"])


def test_503(site: ReplicaSite, client: httpx.Client) -> None:
    assert forced(site, client, FEED, "503").status_code == 503


def test_redirect_to_another_host(site: ReplicaSite, client: httpx.Client) -> None:
    response = forced(site, client, "/en/news?page=2", "redirect")
    assert response.status_code == 302
    assert response.headers["location"] == "http://example.invalid/en/news?page=2"


def test_latency_delays_but_serves_the_page(site: ReplicaSite, client: httpx.Client) -> None:
    response = forced(site, client, ARTICLE, "latency")
    assert response.status_code == 200
    assert response.content == site.render(ARTICLE).body
    assert site.stats.as_dict()["faults"] == {"latency": 1}


def test_reset_mid_body_breaks_the_connection(site: ReplicaSite, client: httpx.Client) -> None:
    site.force_fault(ARTICLE, "reset", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(ARTICLE)
    assert client.get(ARTICLE).status_code == 200


def test_reset_sends_headers_and_part_of_the_body(site: ReplicaSite, server: ReplicaServer) -> None:
    site.force_fault(ARTICLE, "reset", times=1)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(f"GET {ARTICLE} HTTP/1.1\r\nHost: replica\r\n\r\n".encode())
        data = b""
        while chunk := raw.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    assert head.startswith(b"HTTP/1.1 200")
    assert 0 < len(body) < length


def test_truncated_html_is_half_the_page(site: ReplicaSite, client: httpx.Client) -> None:
    whole = site.render(ARTICLE).body
    response = forced(site, client, ARTICLE, "truncated")
    assert response.status_code == 200
    assert response.content == whole[: len(whole) // 2]
    assert b"</html>" not in response.content


def test_cp1251_bytes_labelled_utf8(site: ReplicaSite, client: httpx.Client) -> None:
    whole = site.render(ARTICLE).text()
    response = forced(site, client, ARTICLE, "cp1251")
    assert "charset=utf-8" in response.headers["content-type"]
    assert b'<meta charset="utf-8">' in response.content
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    assert response.content.decode("cp1251") == whole


def test_page_with_no_charset_anywhere(site: ReplicaSite, client: httpx.Client) -> None:
    response = forced(site, client, ARTICLE, "no-charset")
    assert response.headers["content-type"] == "text/html"
    assert b"charset" not in response.content.lower()
    assert "Київ • УНН" in response.content.decode("utf-8")


def test_oversized_page_is_streamed_50_mb(site: ReplicaSite, client: httpx.Client) -> None:
    site.force_fault(ARTICLE, "oversized", times=1)
    with client.stream("GET", ARTICLE) as response:
        assert "content-length" not in response.headers
        size = sum(len(chunk) for chunk in response.iter_raw())
    assert size == OVERSIZED_BYTES


def test_malformed_feed_is_not_well_formed(site: ReplicaSite, client: httpx.Client) -> None:
    response = forced(site, client, FEED, "malformed-feed")
    assert response.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content)


def test_xml_bomb_is_small_on_the_wire_and_nests_entities(
    site: ReplicaSite, client: httpx.Client
) -> None:
    response = forced(site, client, FEED, "xml-bomb")
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert len(response.content) < 2048
    assert response.content.count(b"<!ENTITY") == 10
    assert b"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;" in response.content
    with pytest.raises(etree.XMLSyntaxError):  # lxml refuses the expansion
        etree.fromstring(response.content, etree.XMLParser(resolve_entities=True))


def test_forced_fault_stops_after_its_count(site: ReplicaSite, client: httpx.Client) -> None:
    site.force_fault(FEED, "503", times=2)
    assert [client.get(FEED).status_code for _ in range(3)] == [503, 503, 200]


def test_forced_fault_through_the_control_endpoint(client: httpx.Client) -> None:
    answer = client.post("/__faults__", json={"path": FEED, "fault": "503", "times": None})
    assert answer.json()["forced"] == {FEED: {"fault": "503", "times": None}}
    assert [client.get(FEED).status_code for _ in range(3)] == [503, 503, 503]
    client.post("/__faults__", json={"path": FEED, "fault": None})
    assert client.get(FEED).status_code == 200


def test_unknown_fault_name_is_a_400(client: httpx.Client) -> None:
    answer = client.post("/__faults__", json={"path": FEED, "fault": "gremlins"})
    assert answer.status_code == 400 and "gremlins" in answer.json()["error"]


def test_faults_are_not_served_on_a_304(site: ReplicaSite, client: httpx.Client) -> None:
    etag = client.get(ARTICLE).headers["etag"]
    site.force_fault(ARTICLE, "truncated", times=1)
    assert client.get(ARTICLE, headers={"If-None-Match": etag}).status_code == 304
