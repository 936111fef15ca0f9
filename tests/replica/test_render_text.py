"""Dates, view counts and currency as each edition shows them (Kyiv time)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from unn_ingest.replica.render_text import (
    card_time_text,
    currency_text,
    date_text,
    iso_kyiv,
    listing_time_text,
    related_time_text,
    view_count,
    views_text,
)

WINTER = datetime(2025, 2, 5, 8, 18, tzinfo=UTC)  # 10:18 in Kyiv (+02:00)
SUMMER = datetime(2025, 7, 1, 20, 51, tzinfo=UTC)  # 23:51 in Kyiv (+03:00)


@pytest.mark.parametrize(
    ("edition", "when", "expected"),
    [
        ("uk", WINTER, "5 лютого, 10:18"),
        ("ru", WINTER, "5 февраля, 10:18"),
        ("en", WINTER, "February 5, 10:18 AM"),
        ("en", SUMMER, "July 1, 11:51 PM"),
        ("uk", SUMMER, "1 липня, 23:51"),
    ],
    ids=["uk", "ru", "en-am", "en-pm-summer", "uk-summer"],
)
def test_article_dates_in_each_edition(edition: str, when: datetime, expected: str) -> None:
    assert date_text(edition, when) == expected


def test_iso_and_short_forms_use_kyiv_time() -> None:
    assert iso_kyiv(WINTER) == "2025-02-05T10:18:00+02:00"
    assert iso_kyiv(SUMMER) == "2025-07-01T23:51:00+03:00"
    assert related_time_text(WINTER) == "05.02.25, 10:18"
    assert listing_time_text(SUMMER) == "01.07.2025, 23:51"


def test_cards_show_time_only_for_today_in_kyiv() -> None:
    assert card_time_text("uk", WINTER, WINTER + timedelta(hours=2)) == "10:18"
    assert card_time_text("en", WINTER, WINTER + timedelta(hours=2)) == "10:18 AM"
    assert card_time_text("ru", WINTER, WINTER + timedelta(days=1)) == "5 февраля, 10:18"


@pytest.mark.parametrize(
    ("edition", "count", "expected"),
    [
        ("uk", 1, "• 1 перегляд"),
        ("uk", 3, "• 3 перегляди"),
        ("uk", 11, "• 11 переглядів"),
        ("uk", 22, "• 22 перегляди"),
        ("ru", 21, "• 21 просмотр"),
        ("ru", 44, "• 44 просмотра"),
        ("ru", 112, "• 112 просмотров"),
        ("en", 1, "• 1 view"),
        ("en", 2, "• 2 views"),
    ],
)
def test_views_use_the_edition_plural(edition: str, count: int, expected: str) -> None:
    assert views_text(edition, count) == expected


def test_view_counts_are_deterministic_and_never_fall() -> None:
    counts = [
        view_count(1, "/news/x", WINTER, WINTER + timedelta(minutes=m)) for m in range(0, 3000, 7)
    ]
    assert counts == sorted(counts) and counts[0] >= 1 and counts[-1] > counts[0]
    assert counts[5] == view_count(1, "/news/x", WINTER, WINTER + timedelta(minutes=35))


def test_currency_box_changes_by_day_not_by_minute() -> None:
    usd, eur = currency_text(1, WINTER)
    assert re.fullmatch(r"\$4\d\.\d\d [+-]0\.\d\d", usd) and eur.startswith("€")
    assert currency_text(1, WINTER + timedelta(minutes=30)) == (usd, eur)
    assert currency_text(1, WINTER + timedelta(days=1)) != (usd, eur)
