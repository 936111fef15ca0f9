"""The fetcher's threaded transport: what it returns, and a stopped request's connection."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from unn_ingest.flows.fetch.transport import ThreadedTransport

BODY = "<html><p>Новина дня</p></html>".encode() * 3000  # several reads of the socket


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(0.6)
        self.send_response(200, "Fine")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if self.path != "/unsized":  # else the body ends when the connection closes (HTTP/1.0)
            self.send_header("Content-Length", str(len(BODY)))
        self.send_header("X-Twice", "a")
        self.send_header("X-Twice", "b")
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client(connections: int = 4) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections)
    transport = ThreadedTransport(connections, limits=limits)
    return httpx.AsyncClient(transport=transport, timeout=2.0)


def test_a_response_comes_back_whole_with_its_status_reason_and_headers(site: str) -> None:
    async def fetch() -> tuple[httpx.Response, bytes]:
        async with client() as http, http.stream("GET", site + "/page") as response:
            return response, b"".join([chunk async for chunk in response.aiter_bytes()])

    response, body = asyncio.run(fetch())
    assert body == BODY
    assert (response.status_code, response.reason_phrase) == (200, "Fine")
    assert response.headers.get_list("x-twice") == ["a", "b"]
    assert response.request.url == site + "/page"


def test_a_request_stopped_in_flight_gives_its_connection_back(site: str) -> None:
    async def stop_then_fetch() -> int:
        async with client(connections=1) as http:
            slow = asyncio.ensure_future(http.get(site + "/slow"))
            await asyncio.sleep(0.2)
            slow.cancel()  # the thread still waits for the answer, then closes it
            with pytest.raises(asyncio.CancelledError):
                await slow
            # one connection in all: a response left open would hold it past the timeout
            return (await http.get(site + "/page")).status_code

    assert asyncio.run(stop_then_fetch()) == 200


def test_a_connection_failure_is_httpx_s_own_error() -> None:
    async def fetch() -> None:
        async with client() as http:
            await http.get("http://127.0.0.1:9/refused")  # the discard port: nobody listens

    with pytest.raises(httpx.ConnectError):
        asyncio.run(fetch())


def test_a_body_longer_than_the_read_ahead_is_read_on_in_the_threads(site: str) -> None:
    async def fetch(path: str, read_ahead: int) -> list[bytes]:
        limits = httpx.Limits(max_connections=1)
        transport = ThreadedTransport(1, read_ahead=read_ahead, limits=limits)
        async with httpx.AsyncClient(transport=transport, timeout=2.0) as http:
            bodies = []
            for _ in range(2):  # one connection: each response must give it back
                async with http.stream("GET", site + path) as response:
                    bodies.append(b"".join([chunk async for chunk in response.aiter_bytes()]))
            return bodies

    # read whole with the head; its first chunks with it and the rest after; all of it after
    # (its declared length is beyond the read-ahead): the same body, the connection back
    cases = [("/page", len(BODY)), ("/unsized", 1000), ("/page", len(BODY) - 1)]
    for path, read_ahead in cases:
        assert asyncio.run(fetch(path, read_ahead)) == [BODY, BODY]


def test_a_body_read_with_its_head_gives_its_connection_back_before_the_caller_closes_it(
    site: str,
) -> None:
    async def fetch() -> int:
        limits = httpx.Limits(max_connections=1)
        transport = ThreadedTransport(1, limits=limits)
        async with httpx.AsyncClient(transport=transport, timeout=2.0) as http:
            async with http.stream("GET", site + "/page") as first:
                # the first response is not closed yet, but its body was read whole
                second = await http.get(site + "/page")
                assert first.status_code == 200
            return len(second.content)

    assert asyncio.run(fetch()) == len(BODY)
