"""The only HTTP client of the pipeline: polite, bounded, retrying, host-restricted.

httpx errors are translated here and nowhere else: callers get a `FetchOutcome` per URL, with
either a `FetchedPage`, a not-modified mark, or the reason it failed.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import SiteProfile

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

    @classmethod
    def for_profile(
        cls, profile: SiteProfile, rps: float | None = None, concurrency: int | None = None
    ) -> FetchPolicy:
        """Return the profile's politeness, optionally overridden."""
        return cls(
            allowed_hosts=profile.allowed_hosts,
            user_agent=profile.user_agent,
            requests_per_second=profile.requests_per_second if rps is None else rps,
            max_concurrency=concurrency or profile.max_concurrency,
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
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def ok(self) -> bool:
        """Return True when the response is usable (a page or a 304)."""
        return self.error is None


class _Failure(Exception):
    def __init__(
        self, reason: str, transient: bool, status: int | None = None, wait: float | None = None
    ):
        super().__init__(reason)
        self.reason, self.transient, self.status, self.wait = reason, transient, status, wait


class _Pacer:
    """Spaces request starts at least 1/rps apart, across all concurrent requests."""

    def __init__(self, rps: float) -> None:
        self._interval = 1.0 / rps if rps > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self._interval:
            return
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
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
                return await self._fetch_with_retries(client, pacer, request)

        tasks = [asyncio.ensure_future(one(r)) for r in requests]
        self._requests.update(tasks)
        if self._stopped:  # stopped before this batch reached the loop
            self._cancel_requests()
        try:
            await asyncio.wait(tasks)
        finally:
            self._requests.difference_update(tasks)
        return [_outcome(task, request) for task, request in zip(tasks, requests, strict=True)]

    async def _fetch_with_retries(
        self, client: httpx.AsyncClient, pacer: _Pacer, request: FetchRequest
    ) -> FetchOutcome:
        attempt = 0
        while True:
            attempt += 1
            await pacer.wait()
            try:
                return await self._fetch_once(client, request, attempt)
            except _Failure as failure:
                if not failure.transient or attempt >= self.policy.max_attempts:
                    return FetchOutcome(
                        url=request.url,
                        status=failure.status,
                        error=failure.reason,
                        transient=failure.transient,
                        attempts=attempt,
                    )
                wait = failure.wait
                if wait is None:  # no Retry-After: exponential backoff with jitter
                    backoff = self.policy.backoff_seconds * 2.0 ** (attempt - 1)
                    wait = min(backoff, 8.0) * random.uniform(1, 1.5)
                log.info(
                    "retry in %.1f s (attempt %d): %s: %s",
                    wait,
                    attempt,
                    request.url,
                    failure.reason,
                )
                pacer.hold(wait)
                await asyncio.sleep(wait)

    async def _fetch_once(
        self, client: httpx.AsyncClient, request: FetchRequest, attempt: int
    ) -> FetchOutcome:
        url = request.url
        headers = _conditional_headers(request)
        for _ in range(self.policy.max_redirects + 1):
            self._check_host(url)
            try:
                async with client.stream("GET", url, headers=headers) as response:
                    if response.status_code in REDIRECTS and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
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
            return FetchOutcome(url=original, status=304, not_modified=True, attempts=attempt)
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
            fetched_at=datetime.now(UTC),
        )
        return FetchOutcome(url=original, page=page, status=status, attempts=attempt)

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
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in self.policy.allowed_hosts:
            raise _Failure(
                f"refused: {parts.hostname or url} is not a host of the site profile", False
            )


def stopped(request: FetchRequest) -> FetchOutcome:
    """Return the outcome of a request the run stopped before it was fetched (worth retrying)."""
    return FetchOutcome(url=request.url, error="stopped before it was fetched", transient=True)


def _outcome(task: asyncio.Task[FetchOutcome], request: FetchRequest) -> FetchOutcome:
    """Return a finished request's outcome; a cancelled one was stopped, and says so."""
    return stopped(request) if task.cancelled() else task.result()


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
    return max(0.0, min((when - datetime.now(UTC)).total_seconds(), cap))


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
