"""Read-ahead: planned batches start early, at most `depth` ahead, never before the workers."""

from __future__ import annotations

from concurrent.futures import Future

from unn_ingest.flows.fetch.http import FetchRequest
from unn_ingest.flows.fetch.readahead import ReadAhead, batch_key
from unn_ingest.flows.fetch.workers import BatchWork


def batch(*names: str) -> list[FetchRequest]:
    return [FetchRequest(f"https://unn.ua/news/{n}") for n in names]


class Starter:
    """Records which batches were started, handing back futures it keeps."""

    def __init__(self) -> None:
        self.started: list[tuple[str, ...]] = []
        self.futures: list[Future[BatchWork]] = []

    def __call__(self, requests: list[FetchRequest]) -> Future[BatchWork]:
        self.started.append(batch_key(requests))
        future: Future[BatchWork] = Future()
        self.futures.append(future)
        return future


B1, B2, B3, B4 = batch("a", "b"), batch("c"), batch("d", "e"), batch("f")


def test_planning_starts_only_depth_batches_and_each_take_starts_the_next() -> None:
    start = Starter()
    ahead = ReadAhead(start, depth=2, ready=lambda: True)
    ahead.plan([B1, B2, B3, B4])
    assert start.started == [batch_key(B1), batch_key(B2)]
    assert ahead.take(B1) is start.futures[0]
    assert start.started[-1] == batch_key(B3)
    assert ahead.take(B2) is start.futures[1]
    assert ahead.take(B3) is start.futures[2]
    assert ahead.ahead() == 1  # B4, started when B3 was taken


def test_nothing_starts_before_the_workers_are_ready() -> None:
    start, ready = Starter(), [False]
    ahead = ReadAhead(start, depth=2, ready=lambda: ready[0])
    ahead.plan([B1, B2, B3])
    assert ahead.take(B1) is None  # the caller does B1 itself
    assert start.started == []
    ready[0] = True
    assert ahead.take(B2) is None  # not started yet: the caller does it; B3 starts now
    assert start.started == [batch_key(B3)]
    assert ahead.take(B3) is start.futures[0]


def test_an_unplanned_batch_is_not_read_ahead_and_keeps_the_plan() -> None:
    start = Starter()
    ahead = ReadAhead(start, depth=1, ready=lambda: True)
    ahead.plan([B1, B2])
    assert ahead.take(batch("follow-up")) is None
    assert ahead.take(B1) is start.futures[0]
    assert ahead.take(B2) is start.futures[1]
    assert start.started == [batch_key(B1), batch_key(B2)]


def test_a_planned_batch_taken_before_it_started_is_never_started_later() -> None:
    start = Starter()
    ahead = ReadAhead(start, depth=1, ready=lambda: True)
    ahead.plan([B1, B2, B3])
    assert ahead.take(B2) is None  # out of order: B2 was not started; B1 still waits
    assert ahead.take(B1) is start.futures[0]
    assert ahead.take(B3) is start.futures[1]
    assert batch_key(B2) not in start.started


def test_cancel_drops_the_plan_and_cancels_work_nobody_took() -> None:
    start = Starter()
    ahead = ReadAhead(start, depth=2, ready=lambda: True)
    ahead.plan([B1, B2, B3])
    ahead.cancel()
    assert all(f.cancelled() for f in start.futures)
    assert ahead.ahead() == 0
    assert ahead.take(B3) is None
    assert len(start.started) == 2
