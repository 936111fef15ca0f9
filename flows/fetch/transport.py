"""The fetcher's transport: httpx's blocking HTTP/1.1 transport, run in threads for the loop.

The fetcher's event loop keeps the politeness (pacer, concurrency gate, robots.txt, retries);
only the exchange on the socket runs in a thread. httpx's own async transport (httpcore over
anyio) cost 1.4 ms of CPU per page against the replica, this one 0.95 ms, for the same bytes:
anyio's cancel scopes, checkpoints and stream wrappers ran several times per request.

A response's body is read in the same thread as its head, up to `read_ahead` bytes (a
page's ~14 KB in one go): one hand-over between the loop and the threads per request instead of
one for the head, one per chunk, one for the end and one for the close (0.2 ms of CPU per
page). A body longer than that, or one whose declared length already exceeds it, is read on
as the caller iterates it, a chunk per hand-over as before.

The threads are daemon threads: a request a stopped run no longer waits for ends on its own
(within its timeout) and never holds up a process's exit; what it returns is closed.
"""

from __future__ import annotations

import asyncio
import functools
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


READ_AHEAD = 1 << 20  # bytes of a body read with its head, in the same thread


class ThreadedTransport(httpx.AsyncBaseTransport):
    """Send each request with `httpx.HTTPTransport` in one of `threads` daemon threads."""

    def __init__(self, threads: int, read_ahead: int = READ_AHEAD, **options: Any) -> None:
        self._transport = httpx.HTTPTransport(**options)
        self._threads = _DaemonThreads(threads)
        self._read_ahead = read_ahead

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request and read its body (up to `read_ahead` bytes) in a thread; the
        rest of a longer body is read in the threads as it is iterated."""
        sent = self._run(self._exchange, request)
        try:
            response, head = await asyncio.shield(sent)
        except asyncio.CancelledError:  # stopped: close what arrives after all
            sent.add_done_callback(_close_late)
            raise
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Body(response, self._run, head),
            extensions=response.extensions,
        )

    def _exchange(self, request: httpx.Request) -> tuple[httpx.Response, _Head]:
        """In a thread: send the request, read the body's first `read_ahead` bytes."""
        response = self._transport.handle_request(request)
        try:
            return response, _read_head(response, self._read_ahead)
        except BaseException:
            response.close()
            raise

    async def aclose(self) -> None:
        """Close the connections and let the threads end."""
        await self._run(self._transport.close)
        self._threads.shutdown(wait=False)

    def _run(self, function: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        return asyncio.get_running_loop().run_in_executor(self._threads, function, *args)


@dataclass(frozen=True, slots=True)
class _Head:
    """The start of a body read with the response's head: its chunks, and whether that was
    all of it (the response is then closed: its connection is back in the pool)."""

    chunks: tuple[bytes, ...]
    whole: bool
    rest: Iterator[bytes] | None  # the body's iterator, positioned after `chunks`


def _read_head(response: httpx.Response, limit: int) -> _Head:
    """Read a body's chunks until its end or past `limit` bytes (none if it declares more)."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return _Head((), False, None)
    stream = response.stream
    assert isinstance(stream, httpx.SyncByteStream)
    chunks, size, rest = [], 0, iter(stream)
    for chunk in rest:
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return _Head(tuple(chunks), False, rest)
    response.close()
    return _Head(tuple(chunks), True, None)


class _Body(httpx.AsyncByteStream):
    """A blocking response body: the part read with the head, then the rest chunk by chunk in
    the threads (one at a time)."""

    def __init__(
        self, response: httpx.Response, run: Callable[..., asyncio.Future[Any]], head: _Head
    ) -> None:
        self._response = response
        self._run = run
        self._head = head
        self._lock = threading.Lock()  # a close never runs while a chunk is being read
        self._chunks: Iterator[bytes] | None = head.rest

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._head.chunks:
            yield chunk
        if self._head.whole:
            return
        while True:
            chunk = await self._run(self._next)
            if chunk is None:
                return
            yield chunk

    async def aclose(self) -> None:
        if not self._head.whole:  # a whole body's response is already closed
            await self._run(self._close)

    def _next(self) -> bytes | None:
        with self._lock:
            if self._chunks is None:
                stream = self._response.stream
                assert isinstance(stream, httpx.SyncByteStream)
                self._chunks = iter(stream)
            return next(self._chunks, None)

    def _close(self) -> None:
        with self._lock:
            self._response.close()


def _close_late(sent: asyncio.Future[tuple[httpx.Response, _Head]]) -> None:
    if not sent.cancelled() and sent.exception() is None:
        sent.result()[0].close()


class _DaemonThreads(Executor):
    """A fixed set of daemon threads running submitted calls in turn."""

    def __init__(self, threads: int) -> None:
        self._calls: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None]
        self._calls = queue.SimpleQueue()
        self._count = max(1, threads)
        self._started = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Queue a call; a thread runs it."""
        future: Future[T] = Future()
        with self._lock:
            if not self._started:
                self._started = True
                for n in range(self._count):
                    name = f"unn-fetch-{n}"
                    threading.Thread(target=self._work, name=name, daemon=True).start()
        self._calls.put((functools.partial(fn, *args, **kwargs), future))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Let the threads end once the calls queued so far are done."""
        for _ in range(self._count):
            self._calls.put(None)

    def _work(self) -> None:
        while (call := self._calls.get()) is not None:
            function, future = call
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function())
            except BaseException as error:  # handed to the awaiting request
                future.set_exception(error)
