"""The stop signal: callbacks run once, at once for late registrations; check raises."""

from __future__ import annotations

import pytest

from unn_ingest.flows.context import StopSignal
from unn_ingest.flows.errors import RunStopped


def test_callbacks_run_once_when_set_and_at_once_when_registered_late() -> None:
    stop, calls = StopSignal(), []
    stop.on_stop(lambda: calls.append("fetcher"))
    stop.check()  # not set: no error
    stop.set()
    stop.set()
    stop.on_stop(lambda: calls.append("late"))
    assert calls == ["fetcher", "late"] and stop.is_set()
    with pytest.raises(RunStopped):
        stop.check()
