"""The revisit schedule: geometric, a handful of checks per article, a last look before it
leaves the listings, and no correction made while it is listed left unseen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from unn_ingest.extractors import clock
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.steps.batches import _due_for_revisit, leaving_soon

T0 = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
SCHEDULE = timedelta(minutes=10)


class Settings:
    revisit_min = timedelta(minutes=10)
    revisit_age_factor = 0.75  # the default


def checks(listed_for: timedelta, leaving_after: timedelta) -> list[float]:
    """Return the ages (minutes) at which a 10-minute schedule re-checks one article."""
    item = DiscoveredItem(url="https://unn.ua/news/a", edition="uk", slug="a", published_at=T0)
    ctx = cast(RunContext, Settings())
    last, ages = T0 + timedelta(minutes=5), []  # first fetched at 5 minutes
    now = last + SCHEDULE
    while now - T0 <= listed_for:
        with clock.use_clock(clock.FixedClock(now)):
            if _due_for_revisit(ctx, item, last, now, now - T0 >= leaving_after):
                last = now
                ages.append((now - T0).total_seconds() / 60)
        now += SCHEDULE
    return ages


def test_an_article_listed_for_16_hours_is_checked_a_handful_of_times() -> None:
    ages = checks(timedelta(hours=16), leaving_after=timedelta(hours=15))
    assert len(ages) <= 5
    assert ages[0] <= 30  # young articles are checked soon


def test_every_correction_made_while_listed_is_seen_before_the_article_leaves() -> None:
    listed_for, leaving = timedelta(hours=14), timedelta(hours=13)
    ages = checks(listed_for, leaving)
    for corrected_at in range(20, int(leaving.total_seconds() // 60), 10):
        assert any(age >= corrected_at for age in ages), corrected_at


def test_the_oldest_listed_items_of_each_edition_are_leaving() -> None:
    items: list[Any] = [
        DiscoveredItem(
            url=f"https://unn.ua/{e}/news/{i}",
            edition=e,
            slug=str(i),
            published_at=T0 + timedelta(minutes=i),
        )
        for e in ("uk", "en")
        for i in range(30)
    ]
    leaving = leaving_soon(items)
    assert len(leaving) == 20
    assert "https://unn.ua/uk/news/0" in leaving and "https://unn.ua/uk/news/29" not in leaving
