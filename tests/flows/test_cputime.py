"""CPU time by stage: nested stages pause the outer one; worker figures add up."""

from __future__ import annotations

import time

from unn_ingest.flows import cputime


def _burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_nested_stage_is_not_counted_in_the_outer_one() -> None:
    before = cputime.snapshot()
    with cputime.stage("test: outer"):
        _burn(0.02)
        with cputime.stage("test: inner"):
            _burn(0.05)
        _burn(0.02)
    spent = cputime.since(before)
    assert spent["test: inner"] >= 0.05
    assert 0.04 <= spent["test: outer"] < spent["test: inner"]


def test_a_decorated_function_is_a_stage_and_worker_figures_are_added() -> None:
    @cputime.staged("test: decorated")
    def work() -> int:
        _burn(0.01)
        return 7

    before = cputime.snapshot()
    assert work() == 7
    cputime.add([("workers: test", 1.5), ("workers: test", 0.5)])
    spent = cputime.since(before)
    assert spent["test: decorated"] >= 0.01
    assert spent["workers: test"] == 2.0
