"""The pipeline's injectable clock: fixed, running and handed over by UNN_INGEST_CLOCK."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from unn_ingest.extractors import clock

START = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)


def test_a_fixed_clock_moves_only_when_advanced() -> None:
    fixed = clock.FixedClock(START)
    with clock.use_clock(fixed):
        assert clock.now() == START
        fixed.advance(timedelta(hours=12))
        assert clock.now() == START + timedelta(hours=12)
    assert clock.now() != START + timedelta(hours=12)  # the previous clock is back


def test_a_scaled_clock_runs_faster_than_real_time() -> None:
    running = clock.ScaledClock(START, speed=3600.0, anchor=time.time() - 2.0)
    assert START + timedelta(hours=2) <= running.now() < START + timedelta(hours=3)


def test_a_spec_hands_the_same_running_clock_to_another_process() -> None:
    running = clock.ScaledClock(START, speed=60.0, anchor=1_700_000_000.0)
    copy = clock.parse_clock(running.spec())
    assert copy == running


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("2025-11-20T10:00:00Z", START),
        ("2025-11-20T12:00:00+02:00", START),
    ],
    ids=["utc", "offset"],
)
def test_an_instant_alone_is_a_frozen_clock(spec: str, expected: datetime) -> None:
    assert clock.parse_clock(spec).now() == expected


@pytest.mark.parametrize(
    "spec",
    ["yesterday", "2025-11-20T10:00:00", "2025-11-20T10:00:00Z x0", "2025-11-20T10:00:00Z y2"],
    ids=["not-an-instant", "naive", "zero-speed", "unknown-part"],
)
def test_a_bad_spec_is_refused_with_the_variable_named(spec: str) -> None:
    with pytest.raises(clock.ClockSpecError, match="UNN_INGEST_CLOCK"):
        clock.parse_clock(spec)


def test_the_environment_names_the_clock_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNN_INGEST_CLOCK", "2025-11-20T10:00:00Z")
    monkeypatch.setattr(clock, "_current", None)
    assert clock.now() == START
