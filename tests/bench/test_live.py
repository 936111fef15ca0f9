"""The live benchmark's simulation over a few hours: behaviour, not timings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.live import parse_args, simulate

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_a_few_simulated_hours_mark_removals_and_moves_and_lose_nothing_new(
    tmp_path: Path,
) -> None:
    args = parse_args(
        [
            *("--days", "0.25", "--stories-per-day", "100", "--removed-share", "0.05"),
            *("--moved-share", "0.05", "--stop-at-hours", "3", "--stop-hours", "1"),
            *("--outage-at-hours", "4.5", "--outage-hours", "0.5", "--seed", "11"),
        ]
    )
    result = simulate(args, tmp_path, harness=False)

    assert result["duplicates"] == 0
    assert result["removals"]["made"] > 0
    assert result["removals"]["marked"] > 0
    assert result["moves"]["recorded_as_moves"] > 0
    assert result["runs_failed"] > 0  # the outage: the runs in it fail, the next ones recover
    fresh = result["freshness_minutes_all"]
    assert set(fresh) == {"uk", "en", "ru"}
