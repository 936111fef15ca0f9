"""Feeds and listing pages into article URLs, on the replica's markup and on broken input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from unn_ingest.config import load_profile
from unn_ingest.extractors.discovery import parse_feed, parse_listing
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.replica.site import ReplicaSite
from unn_ingest.replica.testing import make_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "discovery"
ORIGIN = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    site = make_site(seed=2, generated=60)
    site.set_origin(ORIGIN)
    return site


def page(url: str, body: bytes) -> FetchedPage:
    return FetchedPage(url, url, 200, {}, body, datetime.now(UTC))


def rendered(site: ReplicaSite, path: str, query: dict[str, str] | None = None) -> FetchedPage:
    response = site.render(path, query or {})
    assert response.status == 200
    return page(ORIGIN + path, response.body)


@pytest.mark.parametrize("edition", ["uk", "en", "ru"])
def test_feed_items_are_the_truths_newest_articles(site: ReplicaSite, edition: str) -> None:
    profile = load_profile(origin=ORIGIN)
    found = parse_feed(rendered(site, profile.edition(edition).feed_path), profile)
    assert found.error is None and found.items
    truth = {a["url"]: a for a in site.truth()["articles"] if a["edition"] == edition}
    for item in found.items:
        assert item.edition == edition
        assert item.url in truth
        assert item.published_at == datetime.fromisoformat(truth[item.url]["published_at"])
    times = [i.published_at for i in found.items if i.published_at]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("edition", ["uk", "en", "ru"])
def test_listing_pages_walk_back_through_every_article(site: ReplicaSite, edition: str) -> None:
    profile = load_profile(origin=ORIGIN)
    path = profile.edition(edition).listing_path
    seen: list[str] = []
    for number in range(1, 100):
        found = parse_listing(rendered(site, path, {"page": str(number)}), profile)
        assert found.error is None
        seen += [i.url for i in found.items]
        if not found.has_next:
            break
    truth = [a["url"] for a in site.truth()["articles"] if a["edition"] == edition]
    assert sorted(seen) == sorted(truth)


def test_broken_feed_gives_a_reason_not_items() -> None:
    profile = load_profile(origin="http://unn.test")
    found = parse_feed(
        page("http://unn.test/rss", (FIXTURES / "broken_feed.xml").read_bytes()), profile
    )
    assert found.items == () and found.error and "malformed feed" in found.error


def test_html_instead_of_a_feed_is_an_error() -> None:
    profile = load_profile()
    found = parse_feed(
        page("https://unn.ua/rss/news_uk.xml", b"<html><body>hi</body></html>"), profile
    )
    assert found.items == () and found.error


def test_feed_keeps_only_article_urls_of_the_site_and_canonicalises_amp() -> None:
    profile = load_profile()
    body = (FIXTURES / "foreign_links_feed.xml").read_bytes()
    found = parse_feed(page("https://unn.ua/rss/news_en.xml", body), profile)
    assert [(i.edition, i.url) for i in found.items] == [
        ("en", "https://unn.ua/en/news/kyiv-metro-opens"),
        ("ru", "https://unn.ua/ru/news/kiev-metro"),
    ]
    assert found.items[0].published_at == datetime(2025, 2, 5, 8, 18, tzinfo=UTC)


def test_xml_bomb_feed_does_not_expand() -> None:
    from unn_ingest.replica.faults import xml_bomb

    found = parse_feed(page(ORIGIN + "/rss/news_uk.xml", xml_bomb()), load_profile(origin=ORIGIN))
    assert found.items == () and found.error


def test_truncated_feed_gives_its_items_and_the_damage(site: ReplicaSite) -> None:
    from unn_ingest.replica.faults import malformed_feed

    profile = load_profile(origin=ORIGIN)
    whole = site.render("/rss/news_en.xml").body
    found = parse_feed(page(ORIGIN + "/rss/news_en.xml", malformed_feed(whole)), profile)
    complete = parse_feed(page(ORIGIN + "/rss/news_en.xml", whole), profile)
    assert found.error and "malformed feed" in found.error
    assert 0 < len(found.items) < len(complete.items)
    assert {i.url for i in found.items} <= {i.url for i in complete.items}
