"""The replica on a real socket: the Starlette app (faults, 304s, stats, control endpoints)
and `ReplicaServer`, which runs it under uvicorn in a background thread on loopback.

Faults such as a reset mid-body or a slow response need a real connection, which is why the
replica is an HTTP server and not only an httpx transport.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator
from email.utils import formatdate
from types import TracebackType
from typing import TYPE_CHECKING, Any

from unn_ingest.replica import require_extra

require_extra()  # before the imports below, so a missing extra is one clear line

import uvicorn  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, Response, StreamingResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402
from starlette.types import Receive, Scope, Send  # noqa: E402

from unn_ingest.replica import faults as fx  # noqa: E402
from unn_ingest.replica.clock import ClockError, format_instant, parse_instant  # noqa: E402
from unn_ingest.replica.live import LiveError, Outage  # noqa: E402

if TYPE_CHECKING:
    from unn_ingest.replica.site import ReplicaResponse, ReplicaSite

_CONTROL_KINDS = frozenset({"truth", "stats", "clock"})
_BODY_FAULTS = frozenset(
    {
        "truncated",
        "cp1251",
        "no-charset",
        "malformed-feed",
        "reset",
        "empty-listing",
        "hostile-feed",
        "bad-og-image",
    }
)
_BODY_REWRITES = {
    "cp1251": fx.as_cp1251,
    "truncated": fx.truncated,
    "malformed-feed": fx.malformed_feed,
    "empty-listing": fx.empty_listing,
    "hostile-feed": fx.hostile_feed,
    "bad-og-image": fx.bad_og_image,
}


class ResetFaultError(ConnectionError):
    """Raised inside a response to make uvicorn drop the connection mid-body."""


class _QuietResets(logging.Filter):
    """Keep uvicorn from logging a traceback for every deliberate reset."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ResetFaultError)


logging.getLogger("uvicorn.error").addFilter(_QuietResets())


class _ResetResponse(Response):
    """Send the headers and the first half of the body, then abort the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        raise ResetFaultError("replica fault: connection reset mid-body")


def build_app(site: ReplicaSite) -> Starlette:
    """Return the Starlette app serving `site` with faults, conditional GET and stats."""

    async def serve(request: Request) -> Response:
        site.stats.begin()
        try:
            return await answer(request)
        finally:
            site.stats.end()

    async def answer(request: Request) -> Response:
        outage = site.live.outage_at(site.now()) if site.live.outages else None
        if outage is not None and not request.url.path.startswith("/__"):
            site.stats.count("outage", f"outage-{outage.kind}")
            if outage.kind == "refused":  # headers, then the connection is dropped
                return _ResetResponse(b"-" * 64, 503, media_type="text/plain")
            return Response("Service Unavailable", 503)
        response = site.render(request.url.path, dict(request.query_params), dict(request.headers))
        if response.kind in _CONTROL_KINDS:
            return _plain(response)
        page = request.query_params.get("page")
        fault, count = site.faults.next_fault(request.url.path, response.kind, page)
        if fault in _BODY_FAULTS and response.status != 200:
            fault = None
        site.stats.count(
            response.kind, fault, not_modified=response.status == 304, path=request.url.path
        )
        if fault == "latency":
            await asyncio.sleep(
                site.faults.plan.latency_seconds(site.seed, request.url.path, count)
            )
            return _plain(response)
        return _plain(response) if fault is None else _faulty(site, request, response, fault)

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            try:
                _move_clock(site, await request.json())
            except (ClockError, ValueError, TypeError, KeyError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        running = {"spec": site.clock.spec()} if site.clock.speed is not None else {}
        return JSONResponse({"now": format_instant(site.now()), **running})

    async def outages(request: Request) -> Response:
        if request.method == "POST":
            try:
                site.live.add_outage(_outage(await request.json()))
            except (ClockError, LiveError, ValueError, TypeError, KeyError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"outages": [_outage_dict(o) for o in site.live.outages]})

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                _force(site, await request.json())
            except (fx.FaultError, ValueError, TypeError, KeyError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"profile": site.faults.plan.name, "forced": site.faults.forced()})

    routes = [
        Route("/__clock__", clock, methods=["GET", "POST"]),
        Route("/__faults__", faults, methods=["GET", "POST"]),
        Route("/__outages__", outages, methods=["GET", "POST"]),
        Route("/{path:path}", serve, methods=["GET", "HEAD"]),
    ]
    return Starlette(routes=routes)


def _move_clock(site: ReplicaSite, data: Any) -> None:
    """Apply a POST /__clock__ body: {"now": iso} or {"advance_seconds": n}."""
    if "now" in data:
        site.clock.set(parse_instant(str(data["now"])))
    elif "advance_seconds" in data:
        site.clock.advance(float(data["advance_seconds"]))
    else:
        raise ValueError('expected {"now": ISO} or {"advance_seconds": N}')


def _outage(data: Any) -> Outage:
    """Read a POST /__outages__ body: {"start": ISO, "end": ISO, "kind": "503"|"refused"}."""
    kind = str(data.get("kind", "503"))
    return Outage.parse(f"{data['start']}/{data['end']}:{kind}")


def _outage_dict(outage: Outage) -> dict[str, str]:
    return {
        "start": format_instant(outage.start),
        "end": format_instant(outage.end),
        "kind": outage.kind,
    }


def _force(site: ReplicaSite, data: Any) -> None:
    """Apply a POST /__faults__ body: {"path", "fault", "times"} or {"clear": true}."""
    if data.get("clear"):
        site.faults.clear()
        return
    times = data.get("times")
    fault = data.get("fault")
    site.force_fault(str(data["path"]), fault, None if times is None else int(times))


def _plain(response: ReplicaResponse) -> Response:
    """Return the site's response unchanged."""
    return Response(response.body, response.status, headers=response.headers)


def _faulty(site: ReplicaSite, request: Request, response: ReplicaResponse, fault: str) -> Response:
    """Return the response that serves `fault` in place of `response`."""
    retry = site.faults.plan.retry_after_seconds
    if fault == "429":
        return Response("Too Many Requests", 429, headers={"retry-after": str(retry)})
    if fault == "429-date":
        when = formatdate(time.time() + retry + 1, usegmt=True)
        return Response("Too Many Requests", 429, headers={"retry-after": when})
    if fault == "503":
        return Response("Service Unavailable", 503)
    if fault == "redirect":
        target = fx.REDIRECT_HOST + request.url.path
        target += f"?{request.url.query}" if request.url.query else ""
        return Response(b"", 302, headers={"location": target})
    if fault == "oversized":
        return StreamingResponse(_oversized(), 200, media_type="text/html; charset=utf-8")
    if fault == "xml-bomb":
        return Response(fx.xml_bomb(), 200, media_type="application/rss+xml; charset=utf-8")
    return _body_fault(response, fault)


def _body_fault(response: ReplicaResponse, fault: str) -> Response:
    """Serve a fault that damages the page's own body (validators are dropped)."""
    content_type = response.headers.get("content-type", "text/html; charset=utf-8")
    if fault == "reset":
        return _ResetResponse(response.body, 200, media_type=content_type)
    if fault == "no-charset":
        body = fx.without_charset(response.body)
        return Response(body, 200, headers={"content-type": content_type.split(";")[0]})
    return Response(_BODY_REWRITES[fault](response.body), 200, media_type=content_type)


async def _oversized() -> AsyncIterator[bytes]:
    """Stream the 50 MB page, yielding to the event loop between chunks."""
    for chunk in fx.oversized_chunks():
        yield chunk


class ReplicaServer:
    """Run a `ReplicaSite` under uvicorn in a background thread (use as a context manager)."""

    def __init__(self, site: ReplicaSite, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """Return the server's base URL, e.g. http://127.0.0.1:40123 (real port when started)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ReplicaServer:
        """Bind the socket, tell the site its origin, and serve until `stop`."""
        # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only then,
        # and without it every response waits ~40 ms for a delayed ACK.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self.site.set_origin(self.base_url)
        config = uvicorn.Config(
            self.site.asgi_app(),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        server = self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="replica-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"replica server did not start on {self.base_url}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = self._thread = None

    def __enter__(self) -> ReplicaServer:
        return self.start() if self._server is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
