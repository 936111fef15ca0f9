"""The revisit schedule: geometric, a handful of checks per article, a last look before it
leaves the listings (timed by the listings' pace), and few corrections made while it is listed
left unseen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from unn_ingest.extractors import clock
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.steps.batches import _due_for_revisit, leaving_soon

T0 = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
SCHEDULE = timedelta(minutes=10)


class Settings:
    revisit_min = timedelta(minutes=10)
    revisit_age_factor = 0.95  # the default


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


def test_an_article_listed_for_16_hours_is_checked_twice() -> None:
    ages = checks(timedelta(hours=16), leaving_after=timedelta(hours=15))
    assert len(ages) == 2
    assert ages[0] <= 120  # young articles are checked soon
    assert ages[-1] >= 15 * 60  # and once more as they leave


def test_every_correction_made_while_listed_is_seen_before_the_article_leaves() -> None:
    listed_for, leaving = timedelta(hours=14), timedelta(hours=13)
    ages = checks(listed_for, leaving)
    for corrected_at in range(20, int(leaving.total_seconds() // 60), 10):
        assert any(age >= corrected_at for age in ages), corrected_at


def stream(every: timedelta, until: datetime, size: int = 100) -> list[DiscoveredItem]:
    """The `size` newest items of an edition publishing one item per `every` since T0 - 2 days."""
    first = T0 - timedelta(days=2)
    count = int((until - first) / every) + 1
    times = [first + every * n for n in range(count)][-size:]
    return [
        DiscoveredItem(f"https://unn.ua/news/{t:%d%H%M}", "uk", f"{t:%d%H%M}", t) for t in times
    ]


@pytest.mark.parametrize(
    ("every", "floor"),
    [
        # listed for under 7 hours: the last look comes ~30 minutes before it drops out
        pytest.param(timedelta(minutes=4), 0.9, id="4min"),
        pytest.param(timedelta(minutes=6), 0.95, id="6min"),
        pytest.param(timedelta(minutes=10), 0.95, id="10min"),
        pytest.param(timedelta(minutes=15), 0.95, id="15min"),
    ],
)
def test_a_feed_of_100_items_at_any_pace_costs_few_checks_and_misses_few_corrections(
    every: timedelta, floor: float
) -> None:
    """An article published at T0, in a feed of the 100 newest items: checked by the rules
    until it drops out; of the corrections made 20-600 minutes after it appeared while it is
    listed (the replica corrects at a uniform time in that span), few come after the last check."""
    ctx = cast(RunContext, Settings())
    url = f"https://unn.ua/news/{T0:%d%H%M}"
    last, ages, now = T0 + timedelta(minutes=5), [], T0 + timedelta(minutes=5) + SCHEDULE
    while True:
        feed = stream(every, now)
        item = next((i for i in feed if i.url == url), None)
        if item is None:
            break
        site_now = max(i.published_at for i in feed if i.published_at)
        with clock.use_clock(clock.FixedClock(now)):
            if _due_for_revisit(ctx, item, last, site_now, url in leaving_soon(feed)):
                last = now
                ages.append((now - T0).total_seconds() / 60)
        now += SCHEDULE
    listed = (now - T0).total_seconds() / 60
    made = [m for m in range(20, 601) if m < listed]
    seen = [m for m in made if any(age >= m for age in ages)]
    assert len(ages) <= 3, ages
    assert len(seen) >= floor * len(made), (ages, listed)


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
    assert len(leaving) == 20  # a busy pace (30 in the last 30 minutes): 10 at most
    assert "https://unn.ua/uk/news/0" in leaving and "https://unn.ua/uk/news/29" not in leaving


@pytest.mark.parametrize(
    ("every", "leaving"), [(1, 10), (5, 6), (10, 3), (60, 3)], ids=["1min", "5min", "10min", "1h"]
)
def test_how_many_items_are_leaving_follows_the_pace_of_publishing(
    every: int, leaving: int
) -> None:
    feed = stream(timedelta(minutes=every), T0)
    assert len(leaving_soon(feed)) == leaving
    oldest = sorted(i.published_at for i in feed if i.published_at)[:leaving]
    assert {i.published_at for i in feed if i.url in leaving_soon(feed)} == set(oldest)
