"""Page times become aware UTC datetimes; a naive time is read in the site's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from unn_ingest.extractors.metadata import parse_datetime

KYIV = ZoneInfo("Europe/Kyiv")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-02-05T10:18:00+02:00", datetime(2025, 2, 5, 8, 18, tzinfo=UTC)),
        ("2025-07-14T13:25:00+03:00", datetime(2025, 7, 14, 10, 25, tzinfo=UTC)),
        ("2025-11-19T08:18:00Z", datetime(2025, 11, 19, 8, 18, tzinfo=UTC)),
        ("2025-02-05T10:18:00", datetime(2025, 2, 5, 8, 18, tzinfo=UTC)),
        ("2025-07-14 13:25:00", datetime(2025, 7, 14, 10, 25, tzinfo=UTC)),
        ("2025-10-26", datetime(2025, 10, 25, 21, 0, tzinfo=UTC)),
        ("Wed, 05 Feb 2025 10:18:00 +0200", datetime(2025, 2, 5, 8, 18, tzinfo=UTC)),
    ],
    ids=[
        "kyiv-winter",
        "kyiv-summer",
        "zulu",
        "naive-winter",
        "naive-summer",
        "date-only",
        "rfc822",
    ],
)
def test_times_are_converted_to_utc(value: str, expected: datetime) -> None:
    parsed = parse_datetime(value, KYIV)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize("value", ["", "   ", "yesterday", "5 лютого, 10:18", None, 1738743480])
def test_unreadable_times_give_none(value: object) -> None:
    assert parse_datetime(value, KYIV) is None
