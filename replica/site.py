"""The replica site: routes a path to a rendered response at the replica clock's "now".

`ReplicaSite.render` is pure in-process rendering (no faults) for evaluation code and fast
tests; `ReplicaSite.asgi_app` wraps it for a real socket, with faults and statistics.
Conditional GET is decided here so both paths agree: ETag (weak for article pages, whose view
counts change with the clock; strong elsewhere) and Last-Modified (when the text last changed).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from unn_ingest.replica.clock import Clock, format_instant
from unn_ingest.replica.faults import FaultBoard, FaultPlan
from unn_ingest.replica.feeds import FEED_PATHS, render_feed
from unn_ingest.replica.live import LiveEvents, LivePlan
from unn_ingest.replica.model import Story
from unn_ingest.replica.render_article import amp_page, article_page
from unn_ingest.replica.render_index import CatalogueIndex, Entry, Snapshot
from unn_ingest.replica.render_layout_b import LAYOUT_B, article_page_b
from unn_ingest.replica.render_listing import listing_page
from unn_ingest.replica.render_page import PageContext, Rendered, not_found_page
from unn_ingest.replica.render_text import Classes
from unn_ingest.replica.render_truth import truth_document
from unn_ingest.replica.robots import RobotsVariant

if TYPE_CHECKING:
    from starlette.applications import Starlette

DEFAULT_ORIGIN = "http://127.0.0.1:8765"
# A 1x1 lossless WebP: every known image path serves these bytes.
IMAGE_BYTES = (
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00"
    b"/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
)
_HOMES = {"/": "uk", "/en": "en", "/ru": "ru"}
_LISTINGS = {"/news": "uk", "/en/news": "en", "/ru/news": "ru"}
_CACHE_SIZE = 512
LAYOUTS = ("a", LAYOUT_B)  # a: the first markup; b: the independent second one


class CatalogueLike(Protocol):
    """What the site needs of a catalogue (replica.catalogue.Catalogue satisfies it)."""

    @property
    def seed(self) -> int: ...
    @property
    def start(self) -> datetime: ...
    @property
    def stories(self) -> tuple[Story, ...]: ...


@dataclass(frozen=True, slots=True)
class ReplicaResponse:
    """A response as the site would send it (before faults)."""

    status: int
    headers: dict[str, str]
    body: bytes
    kind: str = "other"  # article, amp, feed, listing, home, robots, image, truth, ...

    def text(self) -> str:
        """Return the body decoded as UTF-8."""
        return self.body.decode("utf-8")


@dataclass(slots=True)
class Stats:
    """Counters for `GET /__stats__`: requests by kind, faults by name, 304s."""

    requests: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0
    in_flight: int = 0  # requests being answered now...
    max_in_flight: int = 0  # ...and the most ever at once (a client's concurrency, seen here)
    revisits: int = 0  # article requests for a path already asked for (re-checks)
    _articles_seen: set[str] = field(default_factory=set, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def begin(self) -> None:
        """Note a request being answered."""
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def end(self) -> None:
        """Note a request answered."""
        with self.lock:
            self.in_flight -= 1

    def count(
        self,
        kind: str,
        fault: str | None = None,
        not_modified: bool = False,
        path: str | None = None,
    ) -> None:
        """Count one served request (an article `path` asked for before counts as a revisit)."""
        with self.lock:
            self.requests[kind] = self.requests.get(kind, 0) + 1
            if path is not None and kind in _ARTICLE_KINDS:
                self.revisits += int(path in self._articles_seen)
                self._articles_seen.add(path)
            if fault is not None:
                self.faults[fault] = self.faults.get(fault, 0) + 1
            self.not_modified += int(not_modified)

    def as_dict(self) -> dict[str, Any]:
        """Return the counters as JSON-ready data."""
        with self.lock:
            return {
                "total": sum(self.requests.values()),
                "requests": dict(sorted(self.requests.items())),
                "faults": dict(sorted(self.faults.items())),
                "not_modified": self.not_modified,
                "max_in_flight": self.max_in_flight,
                "revisits": self.revisits,
            }


class ReplicaSite:
    """The replica of unn.ua over one catalogue: clock, rendering, truth, faults, stats."""

    def __init__(
        self,
        catalogue: CatalogueLike,
        faults: FaultPlan | None = None,
        layout: str = "a",
        live: LivePlan | None = None,
    ) -> None:
        self.check_layout(layout)
        self.catalogue = catalogue
        self.seed = catalogue.seed
        self.layout = layout
        self.clock = Clock(catalogue.start)
        self.index = CatalogueIndex(catalogue.stories, self.seed)
        # Removals, moves and outages (replica/live.py): none unless `live` asks for them.
        self.live = LiveEvents.plan(self.index, self.seed, live or LivePlan())
        self.css = Classes(self.seed, "" if layout == "a" else layout)
        self.faults = FaultBoard(faults or FaultPlan(), self.seed)
        self.stats = Stats()
        self.robots = RobotsVariant()  # which robots.txt to serve (replica/robots.py)
        self.origin = DEFAULT_ORIGIN
        self._lock = threading.Lock()
        self._context: PageContext | None = None
        self._pages: OrderedDict[tuple[str, str, datetime, str], ReplicaResponse] = OrderedDict()

    @staticmethod
    def check_layout(layout: str) -> None:
        """Raise ValueError unless `layout` is one the replica renders."""
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}: choose one of {', '.join(LAYOUTS)}")

    def set_origin(self, origin: str) -> None:
        """Use `origin` (scheme://host:port) in absolute URLs from now on."""
        with self._lock:
            self.origin = origin.rstrip("/")
            self._context = None
            self._pages.clear()

    def now(self) -> datetime:
        """Return the replica clock's current time."""
        return self.clock.now()

    def force_fault(self, path: str, name: str | None, times: int | None = None) -> None:
        """Serve fault `name` on `path` for the next `times` requests (None: until cleared)."""
        # "/news?page=2" forces the fault on that listing page only; "/news" on every page.
        base, _, query = path.partition("?")
        page = dict(parse_qsl(query)).get("page")
        self.faults.force(f"{base}?page={page}" if page else base, name, times)

    def context(self) -> PageContext:
        """Return the rendering context at the current clock value (shared while it holds)."""
        now = self.clock.now()
        with self._lock:
            ctx = self._context
            if ctx is None or ctx.now != now:
                snapshot = Snapshot(self.index, now)
                if self.live.active:
                    snapshot.visible = {
                        code: self.live.current(entries, now)
                        for code, entries in snapshot.visible.items()
                    }
                ctx = PageContext(self.seed, self.css, self.origin, self.index, snapshot)
                self._context = ctx
            return ctx

    def truth(self) -> dict[str, Any]:
        """Return the ground truth: every article visible now, with its true text (and, on a
        living site, what was removed and moved)."""
        ctx = self.context()
        document = truth_document(ctx, self.index)
        if self.live.active:
            for article in document["articles"]:
                moved = self.live.arrivals.get(urlsplit(article["url"]).path)
                article["moved_from"] = ctx.absolute(moved.old_path) if moved else None
            document.update(self.live.truth(ctx.now, ctx.absolute))
        return document

    def render(
        self, path: str, query: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> ReplicaResponse:
        """Render `path` at the clock's now, honouring If-None-Match / If-Modified-Since.

        `path` may also be an absolute URL or carry its own "?page=N" (used when `query` is None).
        """
        if path.startswith(("http://", "https://")):
            path = urlsplit(path)._replace(scheme="", netloc="").geturl()
        path, _, query_text = path.partition("?")
        if query is None:
            query = dict(parse_qsl(query_text))
        response = self._cached(_normalise(path), query)
        return _conditional(response, headers or {})

    def _cached(self, path: str, query: dict[str, str]) -> ReplicaResponse:
        ctx = self.context()
        key = (path, query.get("page", ""), ctx.now, ctx.origin)
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
                return found
        response = self._route(ctx, path, query)
        if response.kind in _CACHED_KINDS:
            with self._lock:
                self._pages[key] = response
                while len(self._pages) > _CACHE_SIZE:
                    self._pages.popitem(last=False)
        return response

    def _route(self, ctx: PageContext, path: str, query: dict[str, str]) -> ReplicaResponse:
        if self.live.active and (answer := self._live_route(ctx, path)) is not None:
            return answer
        if (entry := self.index.by_path.get(path)) and entry.visible_from <= ctx.now:
            return _page(self._article_page(ctx, entry), "article")
        if (entry := self.index.by_amp_path.get(path)) and entry.visible_from <= ctx.now:
            return _page(amp_page(ctx, entry), "amp")
        if path in FEED_PATHS:
            return _page(render_feed(ctx, FEED_PATHS[path]), "feed")
        if path in _LISTINGS:
            page = _page_number(query)
            if page is None:
                return _not_found(path)
            return _page(listing_page(ctx, _LISTINGS[path], page), "listing")
        if path in _HOMES:
            return _page(listing_page(ctx, _HOMES[path], 1, home=True), "home")
        return self._route_other(ctx, path)

    def _live_route(self, ctx: PageContext, path: str) -> ReplicaResponse | None:
        """Answer a removed article (404/410), a moved one's old path (301) or its new path."""
        amp = self.index.by_amp_path.get(path)
        article_path = amp.path if amp is not None else path
        if (removal := self.live.removal(article_path, ctx.now)) is not None:
            return _gone(path, removal.status)
        if (moved := self.live.moved_away(article_path, ctx.now)) is not None:
            target = moved.entry.amp_path if amp is not None else moved.entry.path
            headers = {"location": ctx.absolute(target), "content-type": "text/plain"}
            return ReplicaResponse(301, headers, b"", "moved")
        if (entry := self.live.arrived(path, ctx.now)) is not None:
            return _page(self._article_page(ctx, entry), "article")
        news_path = path.replace("/amp/", "/news/", 1)
        if news_path != path and (entry := self.live.arrived(news_path, ctx.now)) is not None:
            return _page(amp_page(ctx, entry), "amp")
        return None

    def _article_page(self, ctx: PageContext, entry: Entry) -> Rendered:
        if self.layout == LAYOUT_B:
            return article_page_b(ctx, entry)
        return article_page(ctx, entry)

    def _route_other(self, ctx: PageContext, path: str) -> ReplicaResponse:
        if path == "/robots.txt":
            return ReplicaResponse(*self.robots.response(), "robots")
        if path in self.index.image_paths:
            return ReplicaResponse(200, {"content-type": "image/webp"}, IMAGE_BYTES, "image")
        if path == "/__truth__":
            return _json(self.truth(), "truth")
        if path == "/__stats__":
            return _json(self.stats.as_dict(), "stats")
        if path == "/__clock__":
            return _json({"now": format_instant(ctx.now)}, "clock")
        return _not_found(path)

    def asgi_app(self) -> Starlette:
        """Return the Starlette app that serves this site with faults, 304s and stats."""
        from unn_ingest.replica.server import build_app

        return build_app(self)


_ARTICLE_KINDS = frozenset({"article", "removed", "moved"})
_CACHED_KINDS = frozenset({"article", "amp", "feed", "listing", "home"})


def _normalise(path: str) -> str:
    """Decode percent-escapes and drop a trailing slash (except on the root)."""
    path = unquote(path) or "/"
    return path.rstrip("/") or "/"


def _page_number(query: dict[str, str]) -> int | None:
    """Return the ?page=N value (default 1), or None when it is not a positive integer."""
    raw = query.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        return None
    return int(raw)


def _page(rendered: Rendered, kind: str) -> ReplicaResponse:
    """Turn a rendered page into a 200 response with ETag and Last-Modified."""
    body = rendered.body.encode("utf-8")
    if rendered.version_key is not None:
        digest = hashlib.blake2b(rendered.version_key.encode("utf-8"), digest_size=10)
        etag = f'W/"{digest.hexdigest()}"'
    else:
        etag = f'"{hashlib.blake2b(body, digest_size=10).hexdigest()}"'
    headers = {
        "content-type": rendered.content_type,
        "etag": etag,
        "last-modified": format_datetime(rendered.last_modified, usegmt=True),
    }
    return ReplicaResponse(200, headers, body, kind)


def _json(data: dict[str, Any], kind: str) -> ReplicaResponse:
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    return ReplicaResponse(200, {"content-type": "application/json"}, body, kind)


def _not_found(path: str) -> ReplicaResponse:
    return _gone(path, 404, "not_found")


def _gone(path: str, status: int, kind: str = "removed") -> ReplicaResponse:
    """Return the site's 404 page with this status (a removed article: 404 or 410)."""
    edition = path.split("/")[1] if path.split("/")[1:2] in (["en"], ["ru"]) else "uk"
    body = not_found_page(edition).encode("utf-8")
    return ReplicaResponse(status, {"content-type": "text/html; charset=utf-8"}, body, kind)


def _conditional(response: ReplicaResponse, headers: dict[str, str]) -> ReplicaResponse:
    """Return a 304 when the request's validators match the response, else the response."""
    if response.status != 200 or "etag" not in response.headers:
        return response
    wanted = {k.lower(): v for k, v in headers.items()}
    validators = {k: response.headers[k] for k in ("etag", "last-modified")}
    if "if-none-match" in wanted:
        tags = {t.strip().removeprefix("W/") for t in wanted["if-none-match"].split(",")}
        if "*" in tags or response.headers["etag"].removeprefix("W/") in tags:
            return ReplicaResponse(304, validators, b"", response.kind)
        return response
    since = _http_date(wanted.get("if-modified-since"))
    modified = _http_date(response.headers["last-modified"])
    if since is not None and modified is not None and modified <= since:
        return ReplicaResponse(304, validators, b"", response.kind)
    return response


def _http_date(value: str | None) -> datetime | None:
    """Parse an HTTP-date, or return None when absent or malformed."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None
