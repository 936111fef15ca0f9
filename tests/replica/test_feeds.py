"""RSS 2.0 feeds: the latest visible items per edition, newest first, with Kyiv offsets."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import feedparser
import pytest
from lxml import etree

from unn_ingest.replica.feeds import FEED_SIZE
from unn_ingest.replica.site import ReplicaSite


def items(site: ReplicaSite, edition: str) -> list[etree._Element]:
    """Return the feed's <item> elements."""
    response = site.render(f"/rss/news_{edition}.xml")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/rss+xml")
    return list(etree.fromstring(response.body).iter("item"))


@pytest.mark.parametrize("edition", ["uk", "en", "ru"])
def test_feed_items_have_every_field(site: ReplicaSite, edition: str) -> None:
    for item in items(site, edition):
        link = item.findtext("link")
        assert link is not None and link.startswith(site.origin)
        assert item.findtext("title") and item.findtext("description")
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "false"
        assert guid.text != link
        assert item.findtext("category")
        assert (item.findtext("pubDate") or "").endswith("+0200")


def test_feed_is_newest_first_and_only_visible(site: ReplicaSite) -> None:
    found = items(site, "uk")
    dates = [parsedate_to_datetime(i.findtext("pubDate") or "") for i in found]
    assert dates == sorted(dates, reverse=True)
    assert all(d <= site.now() for d in dates)
    assert not any("fut-uk" in (i.findtext("link") or "") for i in found)


def test_feed_has_at_most_the_latest_hundred(site: ReplicaSite) -> None:
    assert len(items(site, "uk")) <= FEED_SIZE
    assert len(items(site, "en")) == len(site.context().snapshot.visible["en"][:FEED_SIZE])


def test_summer_times_use_the_plus_three_offset() -> None:
    from datetime import UTC, datetime

    from unn_ingest.replica.render_text import rfc822_kyiv

    assert rfc822_kyiv(datetime(2025, 7, 1, 9, 0, tzinfo=UTC)) == "Tue, 01 Jul 2025 12:00:00 +0300"
    assert rfc822_kyiv(datetime(2025, 2, 5, 8, 18, tzinfo=UTC)) == "Wed, 05 Feb 2025 10:18:00 +0200"


def test_feedparser_reads_the_feed(site: ReplicaSite) -> None:
    parsed = feedparser.parse(site.render("/rss/news_en.xml").body)
    assert not parsed.bozo
    first = parsed.entries[0]
    assert first.link == f"{site.origin}/en/news/rep-en-slug"
    assert first.id != first.link
    assert first.tags[0].term == "Politics"
