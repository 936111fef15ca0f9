"""Faults on demand: which request gets which failure, and the faulty bodies themselves.

A `FaultPlan` maps fault names to rates (a named profile); a `FaultBoard` holds the running
state: per-path request counts and faults forced on one path. The choice for the n-th request
to a path is a hash of (seed, path, n), so a run is reproducible and a retry draws anew.
The ASGI layer (`replica.server`) turns the chosen name into bytes on the socket.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from unn_ingest.replica.render_text import stable_hash

# Fault name -> which responses it may hit under a profile ("any", "html" pages, "feed"s).
FAULT_SCOPES: dict[str, str] = {
    "429": "any",  # Retry-After in seconds
    "429-date": "any",  # Retry-After as an HTTP-date
    "503": "any",
    "latency": "any",
    "reset": "any",  # headers and part of the body, then the connection is closed
    "redirect": "any",  # 302 to another host
    "truncated": "html",
    "cp1251": "html",  # cp1251 bytes labelled charset=utf-8
    "no-charset": "html",  # no charset in the header nor in a meta tag
    "oversized": "html",  # 50 MB, streamed
    "malformed-feed": "feed",
    "xml-bomb": "feed",
    "empty-listing": "listing",  # a listing page without its items and its next-page link
    "hostile-feed": "feed",  # an unescaped "&" and a character reference beyond Unicode
    "bad-og-image": "article",  # og:image holds a URL that urljoin cannot parse
}
FAULT_NAMES = tuple(FAULT_SCOPES)
HTML_KINDS = frozenset({"article", "amp", "listing", "home"})
FEED_KINDS = frozenset({"feed"})
BAD_IMAGE_URL = "http://[::1/img.webp"  # an unclosed IPv6 bracket: urljoin raises ValueError
OVERSIZED_BYTES = 50 * 1024 * 1024
REDIRECT_HOST = "http://example.invalid"

PROFILES: dict[str, dict[str, float]] = {
    "none": {},
    "flaky": {"429": 0.02, "429-date": 0.01, "503": 0.03, "latency": 0.05, "reset": 0.01},
    "hostile": {
        "429": 0.04,
        "429-date": 0.03,
        "503": 0.05,
        "latency": 0.08,
        "reset": 0.03,
        "redirect": 0.02,
        "truncated": 0.03,
        "cp1251": 0.02,
        "no-charset": 0.02,
        "oversized": 0.005,
        "malformed-feed": 0.05,
        "xml-bomb": 0.03,
        "empty-listing": 0.03,
        "hostile-feed": 0.05,
        "bad-og-image": 0.03,
    },
}


class FaultError(ValueError):
    """A fault profile or fault name is unknown or malformed."""


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """Fault rates by name, plus the parameters of latency and Retry-After."""

    rates: Mapping[str, float] = field(default_factory=dict)
    name: str = "none"
    latency_ms: float = 300.0
    latency_spread: bool = False  # True: exponential around latency_ms (capped at 5x)
    retry_after_seconds: int = 1

    @classmethod
    def from_profile(cls, profile: str, latency_ms: float = 300.0) -> FaultPlan:
        """Parse "none", "flaky", "hostile", "NAME" or "NAME:RATE[,NAME:RATE...]"."""
        profile = profile.strip() or "none"
        if profile in PROFILES:
            spread = profile != "none"
            return cls(dict(PROFILES[profile]), profile, latency_ms, latency_spread=spread)
        rates: dict[str, float] = {}
        for part in profile.split(","):
            name, _, rate_text = part.strip().partition(":")
            check_fault_name(name)
            rates[name] = _parse_rate(rate_text, part) if rate_text else 1.0
        return cls(rates, profile, latency_ms)

    def choose(self, seed: int, path: str, kind: str, count: int) -> str | None:
        """Return the fault for the `count`-th request to `path` (of `kind`), or None."""
        draw = stable_hash(seed, "fault", path, count) / 2**64
        total = 0.0
        for name, rate in self.rates.items():
            if not applies(name, kind):
                continue
            total += rate
            if draw < total:
                return name
        return None

    def latency_seconds(self, seed: int, path: str, count: int) -> float:
        """Return the delay for a latency fault: fixed, or drawn from an exponential."""
        base = self.latency_ms / 1000
        if not self.latency_spread:
            return base
        draw = stable_hash(seed, "latency", path, count) / 2**64
        return min(5 * base, -base * math.log(1 - draw))


def _parse_rate(text: str, part: str) -> float:
    """Parse a rate in [0, 1]."""
    try:
        rate = float(text)
    except ValueError as exc:
        raise FaultError(f"bad fault rate in {part!r}") from exc
    if not 0 <= rate <= 1:
        raise FaultError(f"fault rate must be within 0..1 in {part!r}")
    return rate


def check_fault_name(name: str) -> str:
    """Return the name if it is a known fault; raise FaultError otherwise."""
    if name not in FAULT_SCOPES:
        known = ", ".join(FAULT_NAMES)
        raise FaultError(f"unknown fault {name!r}; known: {known} (profiles: none, flaky, hostile)")
    return name


def applies(name: str, kind: str) -> bool:
    """Return True when a profile's fault may hit a response of this kind."""
    scope = FAULT_SCOPES[name]
    if scope == "html":
        return kind in HTML_KINDS
    if scope == "feed":
        return kind in FEED_KINDS
    if scope in ("listing", "article"):
        return kind == scope
    return kind in HTML_KINDS or kind in FEED_KINDS or kind == "image"


class FaultBoard:
    """The running fault state: the plan, per-path request counts, faults forced on paths."""

    def __init__(self, plan: FaultPlan, seed: int) -> None:
        self.plan = plan
        self.seed = seed
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._forced: dict[str, list[object]] = {}  # path -> [name, remaining or None]

    def force(self, path: str, name: str | None, times: int | None = None) -> None:
        """Serve fault `name` on `path` for the next `times` requests (None: until cleared).

        `path` may carry "?page=N": the fault then hits that listing page only.
        """
        with self._lock:
            if name is None or name == "none":
                self._forced.pop(path, None)
                return
            self._forced[path] = [check_fault_name(name), times]

    def clear(self) -> None:
        """Forget every forced fault."""
        with self._lock:
            self._forced.clear()

    def forced(self) -> dict[str, dict[str, object]]:
        """Return the faults forced on paths, as JSON-ready data."""
        with self._lock:
            return {p: {"fault": f[0], "times": f[1]} for p, f in self._forced.items()}

    def next_fault(self, path: str, kind: str, page: str | None = None) -> tuple[str | None, int]:
        """Count a request to `path` (listing page `page`) and return (its fault, its number)."""
        with self._lock:
            count = self._counts.get(path, 0)
            self._counts[path] = count + 1
            key = f"{path}?page={page}" if page and f"{path}?page={page}" in self._forced else path
            forced = self._forced.get(key)
            if forced is not None:
                name, remaining = forced
                if isinstance(remaining, int):
                    forced[1] = remaining - 1
                    if remaining <= 1:
                        del self._forced[key]
                return str(name), count
        return self.plan.choose(self.seed, path, kind, count), count


def truncated(body: bytes) -> bytes:
    """Return the first half of a body (possibly cutting a character in two)."""
    return body[: len(body) // 2]


def as_cp1251(body: bytes) -> bytes:
    """Re-encode a UTF-8 page as cp1251, leaving every charset label saying utf-8."""
    return body.decode("utf-8").encode("cp1251", errors="replace")


def without_charset(body: bytes) -> bytes:
    """Drop the meta charset declaration from a UTF-8 page (the bytes stay UTF-8)."""
    return body.replace(b'<meta charset="utf-8">', b"", 1)


def malformed_feed(body: bytes) -> bytes:
    """Return a feed cut off mid-item with an unescaped ampersand: not well-formed XML."""
    cut = body[: max(200, len(body) * 3 // 5)]
    return cut + b"<item><title>Breaking & <b>unclosed</title><link>"


_LISTING_ITEM = re.compile(rb'<div class="[^"]*news-list_item[^"]*">.*?</div>', re.DOTALL)
_NEXT_LINK = re.compile(rb'<a rel="next"[^>]*>.*?</a>', re.DOTALL)
_OG_IMAGE = re.compile(rb'(<meta property="og:image" content=")[^"]*(")')


def empty_listing(body: bytes) -> bytes:
    """Return a listing page without its items and its next-page link (a whole, valid page)."""
    return _NEXT_LINK.sub(b"", _LISTING_ITEM.sub(b"", body))


def hostile_feed(body: bytes) -> bytes:
    """Put an unescaped "&" and `&#99999999999;` into the feed's first item title."""
    return body.replace(b"<item><title>", b"<item><title>Tom & Jerry &#99999999999; ", 1)


def bad_og_image(body: bytes) -> bytes:
    """Replace an article's og:image with a URL that cannot be parsed."""
    return _OG_IMAGE.sub(rb"\g<1>" + BAD_IMAGE_URL.encode() + rb"\g<2>", body, count=1)


def xml_bomb() -> bytes:
    """Return a small RSS document whose entities expand to billions of "lol"s."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<!DOCTYPE rss [", ' <!ENTITY lol "lol">']
    previous = "lol"
    for level in range(1, 10):
        name = f"lol{level}"
        lines.append(f' <!ENTITY {name} "{("&" + previous + ";") * 10}">')
        previous = name
    lines.append("]>")
    lines.append(
        '<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
        "</item></channel></rss>"
    )
    return "\n".join(lines).encode("utf-8")


def oversized_chunks(total: int = OVERSIZED_BYTES, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """Yield an HTML page of `total` bytes, generated chunk by chunk, never stored whole."""
    head = b'<!DOCTYPE html><html lang="uk"><head><meta charset="utf-8"><title>UNN</title>'
    head += b"</head><body><div>"
    filler = (b"<p>" + b"x" * 1017 + b"</p>\n") * (chunk // 1025 + 1)
    tail = b"</div></body></html>"
    yield head
    sent = len(head)
    while sent < total - len(tail):
        part = filler[: min(chunk, total - len(tail) - sent)]
        sent += len(part)
        yield part
    yield tail
