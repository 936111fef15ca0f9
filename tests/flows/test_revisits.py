"""The revisit schedule: geometric, a handful of checks per article, a last look before it
leaves the listings, a look when the feed shows another title, and no correction made while it
is listed left unseen."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from unn_ingest.extractors import clock
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.steps.batches import _due_for_revisit, leaving_soon, retitled_items

T0 = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
SCHEDULE = timedelta(minutes=10)


DEFAULTS = {f.name: f.default for f in fields(RunContext)}


class Settings:
    revisit_min = DEFAULTS["revisit_min"]
    revisit_age_factor = DEFAULTS["revisit_age_factor"]


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


def test_an_article_listed_for_16_hours_is_checked_three_times() -> None:
    ages = checks(timedelta(hours=16), leaving_after=timedelta(hours=15))
    assert len(ages) <= 3
    assert 60 <= ages[0] <= 70  # the first re-check after an hour, not several in it


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


def item(n: int, title: str) -> DiscoveredItem:
    return DiscoveredItem(
        url=f"https://unn.ua/news/{n}", edition="uk", slug=str(n), published_at=T0, title=title
    )


def test_a_listed_article_shown_under_another_title_is_due_at_once() -> None:
    ctx = cast(RunContext, Settings())
    items = [item(n, f"Title {n}") for n in range(10)]
    stored = {i.url: i.title or "" for i in items} | {items[3].url: "Title  3 (old)"}
    retitled = retitled_items(items, stored)
    assert retitled == {items[3]}
    last, now = T0 + timedelta(hours=2), T0 + timedelta(hours=2, minutes=40)
    with clock.use_clock(clock.FixedClock(now)):
        assert not _due_for_revisit(ctx, items[3], last, now)  # its schedule: at ~8 h
        assert _due_for_revisit(ctx, items[3], last, now, retitled=True)


def test_titles_that_differ_only_in_spacing_or_case_are_the_same() -> None:
    items = [item(n, f"Title {n}") for n in range(5)]
    stored = {i.url: f" title  {n} " for n, i in enumerate(items)}
    assert retitled_items(items, stored) == set()


def test_a_feed_whose_titles_never_match_the_pages_gives_no_signal() -> None:
    items = [item(n, f"Title {n}") for n in range(10)]
    stored = {i.url: f"Title {n} | UNN" for n, i in enumerate(items)}
    assert retitled_items(items, stored) == set()
