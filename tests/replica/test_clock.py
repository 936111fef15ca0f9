"""The replica clock: setting and advancing it reveals stories, translations and corrections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.replica.conftest import START
from tests.replica.helpers import one, page
from unn_ingest.replica.clock import Clock, ClockError, format_instant, parse_instant
from unn_ingest.replica.site import ReplicaSite


def test_clock_starts_at_the_catalogue_start(site: ReplicaSite) -> None:
    assert site.now() == START


def test_set_and_advance_move_the_clock() -> None:
    clock = Clock(START)
    assert clock.advance(90) == START + timedelta(seconds=90)
    assert clock.set(datetime(2025, 1, 1, tzinfo=UTC)) == datetime(2025, 1, 1, tzinfo=UTC)
    assert clock.now() == datetime(2025, 1, 1, tzinfo=UTC)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ClockError):
        Clock(datetime(2025, 1, 1))


@pytest.mark.parametrize(
    "text", ["2025-11-20T10:00:00Z", "2025-11-20T12:00:00+02:00"], ids=["zulu", "offset"]
)
def test_instants_parse_to_utc(text: str) -> None:
    assert format_instant(parse_instant(text)) == "2025-11-20T10:00:00Z"


def test_a_future_story_appears_when_its_time_comes(site: ReplicaSite) -> None:
    assert site.render("/news/fut-uk-slug").status == 404
    site.clock.advance(2 * 3600)
    assert site.render("/news/fut-uk-slug").status == 200
    assert b"fut-uk-slug" in site.render("/rss/news_uk.xml").body


def test_a_delayed_translation_appears_after_its_original(site: ReplicaSite) -> None:
    assert site.render("/news/swi-uk-slug").status == 200
    assert site.render("/en/news/swi-en-slug").status == 404
    site.clock.advance(40 * 60)
    assert site.render("/en/news/swi-en-slug").status == 200


def test_a_correction_replaces_the_text_at_the_same_url(site: ReplicaSite) -> None:
    before = page(site, "/en/news/rev-en-slug")
    assert one(before, "single-news-card_newsTitle").text == "Old title of rev"
    assert not before.xpath('//meta[@property="article:modified_time"]')
    site.clock.advance(30 * 60)
    after = page(site, "/en/news/rev-en-slug")
    assert one(after, "single-news-card_newsTitle").text == "Title of rev (en)"
    modified = after.xpath('//meta[@property="article:modified_time"]/@content')
    assert modified == ["2025-11-20T12:30:00+02:00"]


def test_views_grow_as_the_clock_moves(site: ReplicaSite) -> None:
    def views() -> int:
        text = one(page(site, "/news/hre-uk-slug"), "single-news-card_views").text
        return int(text.split()[1])

    first = views()
    site.clock.advance(6 * 3600)
    assert views() > first


def test_moving_the_clock_back_hides_stories_again(site: ReplicaSite) -> None:
    site.clock.set(START - timedelta(days=30))
    assert site.render("/news/hre-uk-slug").status == 404
    assert site.truth()["articles"] == []
