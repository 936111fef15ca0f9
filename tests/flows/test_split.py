"""Cutting a split backfill into parts, and naming each part so a re-run can find it."""

from __future__ import annotations

from datetime import date

import pytest

from unn_ingest.flows.split import Part, cut_range


def d(day: str) -> date:
    return date.fromisoformat(f"2025-{day}")


@pytest.mark.parametrize(
    ("first", "last", "days", "expected"),
    [
        pytest.param("11-01", "11-03", 1, ["11-03", "11-02", "11-01"], id="days"),
        pytest.param(
            "11-01", "11-16", 7, ["11-15..11-16", "11-08..11-14", "11-01..11-07"], id="weeks"
        ),
        pytest.param("11-05", "11-05", 7, ["11-05"], id="one-day"),
        pytest.param("10-30", "11-02", 2, ["11-01..11-02", "10-30..10-31"], id="across-months"),
    ],
)
def test_cut_range_covers_every_day_once_newest_first(
    first: str, last: str, days: int, expected: list[str]
) -> None:
    parts = cut_range(d(first), d(last), days)
    named = [
        f"{p.date_from:%m-%d}" + ("" if p.date_from == p.date_to else f"..{p.date_to:%m-%d}")
        for p in parts
    ]
    assert named == expected


@pytest.mark.parametrize(
    ("first", "last", "days", "message"),
    [
        pytest.param("11-02", "11-01", 1, "before", id="reversed"),
        pytest.param("11-01", "11-02", 0, "at least 1", id="zero-days"),
    ],
)
def test_cut_range_refuses_nonsense(first: str, last: str, days: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cut_range(d(first), d(last), days)


def test_a_part_tag_names_its_dates_editions_and_refetch() -> None:
    part = Part(date(2025, 11, 1), date(2025, 11, 7))
    assert part.tag(["uk", "en", "ru"], False) == "unn-part:2025-11-01..2025-11-07:uk,en,ru"
    assert part.tag(["uk"], True) == "unn-part:2025-11-01..2025-11-07:uk:refetch"


def test_split_backfill_without_a_prefect_server_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from unn_ingest.flows.cli.app import _register_subcommands, app

    _register_subcommands()
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    args = ["split-backfill", "--from", "2025-11-01", "--to", "2025-11-07"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "set PREFECT_API_URL" in " ".join(result.output.split())
