"""The only HTTP client of the pipeline: polite, bounded, retrying, host-restricted.

httpx errors are translated here and nowhere else: callers get a `FetchOutcome` per URL, with
either a `FetchedPage`, a not-modified mark, or the reason it failed. Every request is first
checked against the origin's robots.txt (`robots.py`); every response read is written to the
raw WARC archive (`archive.py`) when the policy names an archive folder.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from unn_ingest.extractors import clock
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.urls import site_origins, url_origin
from unn_ingest.flows.fetch.archive import Exchange, WarcArchive
from unn_ingest.flows.fetch.robots import (
    MAX_ROBOTS_BYTES,
    RobotsRules,
    robots_url,
    rules_for_response,
)

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How the fetcher behaves towards one site."""

    allowed_hosts: tuple[str, ...]
    user_agent: str
    requests_per_second: float = 1.0  # <= 0: no pacing (the local replica)
    max_concurrency: int = 4
    timeout_seconds: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    max_attempts: int = 3
    max_retry_after: float = 60.0
    max_redirects: int = 5
    backoff_seconds: float = 0.5
    allowed_origins: tuple[str, ...] = ()  # "scheme://host:port"; empty: hosts alone decide
    backoff_cap_seconds: float = 8.0
    robots: bool = True  # obey robots.txt (False only in unit tests of other behaviour)
    robots_cache_seconds: float = 86400.0
    crawl_delay_share: int = 1  # processes sharing the site: each waits this many delays
    archive_dir: str | None = None  # None: keep no raw archive
    archive_max_bytes: int = 1 << 30

    @classmethod
    def for_profile(
        cls,
        profile: SiteProfile,
        rps: float | None = None,
        concurrency: int | None = None,
        user_agent: str | None = None,
    ) -> FetchPolicy:
        """Return the profile's politeness and retry limits, optionally overridden."""
        limits = profile.retries
        return cls(
            allowed_hosts=profile.allowed_hosts,
            user_agent=user_agent or profile.user_agent,
            requests_per_second=profile.requests_per_second if rps is None else rps,
            max_concurrency=concurrency or profile.max_concurrency,
            allowed_origins=tuple(sorted(site_origins(profile))),
            max_attempts=limits.max_attempts,
            max_retry_after=limits.max_retry_after_seconds,
            backoff_seconds=limits.backoff_seconds,
            backoff_cap_seconds=limits.backoff_cap_seconds,
            robots_cache_seconds=limits.robots_cache_seconds,
        )


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """A URL to fetch, with the validators of its last fetch for a conditional GET."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What became of one request."""

    url: str
    page: FetchedPage | None = None
    status: int | None = None
    not_modified: bool = False
    error: str | None = None
    transient: bool = False
    attempts: int = 1
    fetched_at: datetime = field(default_factory=lambda: clock.now())
    stage: str = "fetch"  # where a failure happened: "fetch", "robots"; "stopped": not tried
    archive_ref: str | None = None  # where the response is kept in the WARC archive

    @property
    def ok(self) -> bool:
        """Return True when the response is usable (a page or a 304)."""
        return self.error is None


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Return the process's TLS context for the site: building one loads the CA bundle (25 ms
    of CPU), so every client shares it, and the workers inherit it from the fork server."""
    return httpx.create_ssl_context()


class _Failure(Exception):
    def __init__(
        self,
        reason: str,
        transient: bool,
        status: int | None = None,
        wait: float | None = None,
        stage: str = "fetch",
    ):
        super().__init__(reason)
        self.reason, self.transient, self.status, self.wait = reason, transient, status, wait
        self.stage = stage


class _Pacer:
    """Spaces request starts at least 1/rps apart, across all concurrent requests."""

    def __init__(self, rps: float) -> None:
        self._interval = 1.0 / rps if rps > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self, at_least: float = 0.0) -> None:
        """Wait for this request's turn; `at_least` widens the spacing (a Crawl-delay)."""
        interval = max(self._interval, at_least)
        if not interval:
            return
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + interval
        if delay > 0:
            await asyncio.sleep(delay)

    def hold(self, seconds: float) -> None:
        """Push every later request back (a 429/503 with Retry-After)."""
        self._next = max(self._next, time.monotonic() + seconds)


class Fetcher:
    """Fetch many URLs concurrently within one site's politeness policy.

    One event loop in a background thread owns the HTTP client, the pacer and the concurrency
    gate, so batches fetched from several threads share connections and politeness.
    """

    def __init__(self, policy: FetchPolicy, transport: httpx.AsyncBaseTransport | None = None):
        self.policy = policy
        self._transport = transport
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.AsyncClient | None = None
        self._pacer: _Pacer | None = None
        self._gate: asyncio.Semaphore | None = None
        self._requests: set[asyncio.Task[FetchOutcome]] = set()  # in flight, on the loop
        self._stopped = False
        self.on_outcome: Callable[[FetchOutcome], None] | None = None  # per request, progress
        self._robots: dict[str, RobotsRules] = {}  # robots.txt URL -> rules (on the loop)
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._robots_fetches: list[FetchOutcome] = []  # robots.txt fetches not yet taken
        folder = policy.archive_dir
        self._archive = WarcArchive(Path(folder), policy.archive_max_bytes) if folder else None

    def stop(self) -> None:
        """Stop: requests in flight and later ones end at once as "stopped" (thread-safe).

        What was already fetched comes back as usual, so a stopped batch still stores it.
        """
        self._stopped = True
        with self._lock:
            loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._cancel_requests)

    def _cancel_requests(self) -> None:
        for task in list(self._requests):
            task.cancel()

    def fetch_all(self, requests: Sequence[FetchRequest]) -> list[FetchOutcome]:
        """Fetch every request (blocking); outcomes come back in request order."""
        future = asyncio.run_coroutine_threadsafe(self._fetch_all(requests), self._running_loop())
        return future.result()

    def take_robots_fetches(self) -> list[FetchOutcome]:
        """Return (and forget) the robots.txt fetches made since the last call, for the log."""
        with self._lock:
            taken, self._robots_fetches = self._robots_fetches, []
        return taken

    def close(self) -> None:
        """Close the client and stop the loop (the fetcher can be used again afterwards)."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        if self._client is not None:
            asyncio.run_coroutine_threadsafe(self._client.aclose(), loop).result()
        self._client = self._pacer = self._gate = None
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        self._robots.clear()
        self._robots_locks.clear()
        if self._archive is not None:
            self._archive.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=self._loop.run_forever, name="unn-fetcher", daemon=True
                )
                self._thread.start()
            return self._loop

    async def _fetch_all(self, requests: Sequence[FetchRequest]) -> list[FetchOutcome]:
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport,
                verify=tls_context(),
                limits=httpx.Limits(max_connections=self.policy.max_concurrency),
                timeout=httpx.Timeout(self.policy.timeout_seconds),
                headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip"},
            )
            self._pacer = _Pacer(self.policy.requests_per_second)
            self._gate = asyncio.Semaphore(self.policy.max_concurrency)
        client, pacer, gate = self._client, self._pacer, self._gate
        assert pacer is not None and gate is not None

        async def one(request: FetchRequest) -> FetchOutcome:
            async with gate:
                outcome = await self._fetch_with_retries(client, pacer, request)
            if self.on_outcome is not None:
                self.on_outcome(outcome)
            return outcome

        tasks = [asyncio.ensure_future(one(r)) for r in requests]
        self._requests.update(tasks)
        if self._stopped:  # stopped before this batch reached the loop
            self._cancel_requests()
        try:
            await asyncio.wait(tasks)
        finally:
            self._requests.difference_update(tasks)
        # An error no outcome holds (the archive's disk full) fails the batch: the first one
        # is raised, and the others are taken here, or asyncio prints each when it drops them.
        errors = [t.exception() for t in tasks if not t.cancelled()]
        if any(errors):
            raise next(e for e in errors if e is not None)
        return [_outcome(task, request) for task, request in zip(tasks, requests, strict=True)]

    async def _fetch_with_retries(
        self, client: httpx.AsyncClient, pacer: _Pacer, request: FetchRequest
    ) -> FetchOutcome:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._fetch_once(client, pacer, request, attempt)
            except _Failure as failure:
                if not failure.transient or attempt >= self.policy.max_attempts:
                    return FetchOutcome(
                        url=request.url,
                        status=failure.status,
                        error=failure.reason,
                        transient=failure.transient,
                        attempts=attempt,
                        stage=failure.stage,
                    )
                wait = failure.wait
                if wait is None:  # no Retry-After: exponential backoff with jitter
                    backoff = self.policy.backoff_seconds * 2.0 ** (attempt - 1)
                    wait = min(backoff, self.policy.backoff_cap_seconds) * random.uniform(1, 1.5)
                log.info(
                    "retry in %.1f s (attempt %d): %s — %s",
                    wait,
                    attempt,
                    failure.reason,
                    request.url,
                )
                if failure.stage == "fetch":  # the site asked for a pause, not its robots.txt
                    pacer.hold(wait)
                await asyncio.sleep(wait)

    async def _fetch_once(
        self, client: httpx.AsyncClient, pacer: _Pacer, request: FetchRequest, attempt: int
    ) -> FetchOutcome:
        url = request.url
        headers = _conditional_headers(request)
        for _ in range(self.policy.max_redirects + 1):
            self._check_host(url)
            rules = await self._admit(client, pacer, url)
            await pacer.wait(_crawl_delay(rules, self.policy.crawl_delay_share))
            try:
                async with client.stream("GET", url, headers=headers) as response:
                    if response.status_code in REDIRECTS and "location" in response.headers:
                        url = _redirect_target(url, response.headers["location"])
                        headers = {}  # the validators were the old URL's: read the new one whole
                        continue
                    return await self._read(response, request.url, url, attempt)
            except httpx.TimeoutException as exc:
                raise _Failure(f"timeout ({type(exc).__name__})", transient=True) from exc
            except httpx.TransportError as exc:
                raise _Failure(f"connection failed: {_describe(exc)}", transient=True) from exc
        raise _Failure(f"more than {self.policy.max_redirects} redirects", transient=False)

    async def _read(
        self, response: httpx.Response, original: str, final: str, attempt: int
    ) -> FetchOutcome:
        status = response.status_code
        if status == 304:
            ref = self._archived(response, original, final, b"", clock.now())
            return FetchOutcome(
                url=original, status=304, not_modified=True, attempts=attempt, archive_ref=ref
            )
        if status in RETRY_STATUSES:
            wait = _retry_after(response.headers.get("retry-after"), self.policy.max_retry_after)
            raise _Failure(f"HTTP {status}", transient=True, status=status, wait=wait)
        if status >= 400:
            raise _Failure(f"HTTP {status}", transient=False, status=status)
        body = await self._read_body(response)
        page = FetchedPage(
            url=original,
            final_url=final,
            status=status,
            headers=dict(response.headers),
            body=body,
            fetched_at=clock.now(),
        )
        ref = self._archived(response, original, final, body, page.fetched_at)
        return FetchOutcome(
            url=original, page=page, status=status, attempts=attempt, archive_ref=ref
        )

    def _archived(
        self, response: httpx.Response, original: str, final: str, body: bytes, when: datetime
    ) -> str | None:
        """Write the exchange to the WARC archive (if one is kept); return its reference."""
        if self._archive is None:
            return None
        exchange = Exchange(
            requested_url=original,
            url=final,
            request_headers=tuple(response.request.headers.items()),
            status=response.status_code,
            reason=response.reason_phrase or "",
            headers=tuple(response.headers.multi_items()),
            body=body,
            fetched_at=when,
        )
        return self._archive.write(exchange)

    # --- robots.txt ---------------------------------------------------------------------

    async def _admit(
        self, client: httpx.AsyncClient, pacer: _Pacer, url: str
    ) -> RobotsRules | None:
        """Return the origin's robots.txt rules if they allow the URL; raise if they do not."""
        if not self.policy.robots:
            return None
        rules = await self._rules(client, pacer, robots_url(url))
        if rules.allows(url):
            return rules
        if rules.state == "unreachable":  # RFC 9309: wait until it answers
            raise _Failure(f"{rules.note}: waiting", transient=True, stage="robots")
        raise _Failure("skipped: disallowed by robots.txt", transient=False, stage="robots")

    async def _rules(self, client: httpx.AsyncClient, pacer: _Pacer, url: str) -> RobotsRules:
        """Return the cached rules for a robots.txt URL, fetching them when missing or old."""
        lock = self._robots_locks.setdefault(url, asyncio.Lock())
        async with lock:  # one fetch per origin, however many requests wait for it
            rules = self._robots.get(url)
            if rules is None or rules.expired():
                await pacer.wait()
                rules = self._robots[url] = await self._fetch_robots(client, url)
        return rules

    async def _fetch_robots(self, client: httpx.AsyncClient, url: str) -> RobotsRules:
        now = time.monotonic()
        status, body, error, ref = await self._get_robots(client, url)
        rules = rules_for_response(
            status, body, self.policy.user_agent, now + self.policy.robots_cache_seconds, error
        )
        if rules.state == "unreachable":  # ask again soon: waiting requests share one answer
            rules = replace(rules, expires_at=now + self.policy.backoff_seconds)
        problem = rules.note if rules.state in ("broken", "unreachable") else None
        with self._lock:
            self._robots_fetches.append(
                FetchOutcome(url=url, status=status, error=problem, stage="robots", archive_ref=ref)
            )
        return rules

    async def _get_robots(
        self, client: httpx.AsyncClient, url: str
    ) -> tuple[int | None, bytes, str | None, str | None]:
        """GET a robots.txt, following redirects within the site; (status, body, error, ref)."""
        target = url
        try:
            for _ in range(self.policy.max_redirects + 1):
                self._check_host(target)
                async with client.stream("GET", target) as response:
                    if response.status_code in REDIRECTS and "location" in response.headers:
                        target = urljoin(target, response.headers["location"])
                        continue
                    body = b""
                    if response.status_code < 300:
                        async for chunk in response.aiter_bytes():
                            body += chunk
                            if len(body) >= MAX_ROBOTS_BYTES:
                                break
                    ref = self._archived(response, url, target, body, clock.now())
                    return response.status_code, body, None, ref
        except _Failure as failure:  # redirected off the site: as if there were none
            return 404, b"", failure.reason, None
        except httpx.HTTPError as exc:
            return None, b"", _describe(exc), None
        return 404, b"", "too many redirects", None

    async def _read_body(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
            raise _Failure(f"response too large ({declared} bytes)", transient=False)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.policy.max_bytes:
                raise _Failure(
                    f"response too large (over {self.policy.max_bytes} bytes)", transient=False
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _check_host(self, url: str) -> None:
        """Refuse a URL off the site: its host, and its whole origin when the policy names them."""
        origin = url_origin(url)
        host = urlsplit(url).hostname if origin else None
        if origin is None or host not in self.policy.allowed_hosts:
            raise _Failure(f"refused: {host or url} is not a host of the site profile", False)
        if self.policy.allowed_origins and origin not in self.policy.allowed_origins:
            raise _Failure(f"refused: {origin} is not an origin of the site profile", False)


def _crawl_delay(rules: RobotsRules | None, share: int) -> float:
    if rules is None or not rules.crawl_delay:
        return 0.0
    return rules.crawl_delay * share


def stopped(request: FetchRequest) -> FetchOutcome:
    """Return the outcome of a request the run stopped before it was fetched (worth retrying)."""
    return FetchOutcome(
        url=request.url, error="stopped before it was fetched", transient=True, stage="stopped"
    )


def _outcome(task: asyncio.Task[FetchOutcome], request: FetchRequest) -> FetchOutcome:
    """Return a finished request's outcome; a cancelled one was stopped, and says so."""
    return stopped(request) if task.cancelled() else task.result()


def _redirect_target(url: str, location: str) -> str:
    """Return where a redirect points; an unparseable Location is a permanent failure."""
    try:
        return urljoin(url, location)
    except ValueError as exc:
        raise _Failure(f"unparseable redirect to {location[:200]!r}", transient=False) from exc


def _conditional_headers(request: FetchRequest) -> dict[str, str]:
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    return headers


def _retry_after(value: str | None, cap: float) -> float | None:
    """Return the seconds a Retry-After header asks for (seconds or HTTP-date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, min((when - clock.now()).total_seconds(), cap))


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
