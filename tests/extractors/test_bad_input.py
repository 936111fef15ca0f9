"""Bad input loses nothing: hostile feeds, damaged listings, bad optional fields, other origins."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from unn_ingest.config import load_profile
from unn_ingest.extractors import article as article_module
from unn_ingest.extractors.analysis import AnalysisFailure, analyse_page
from unn_ingest.extractors.discovery import parse_feed, parse_listing
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.extractors.urls import article_key, url_origin
from unn_ingest.replica import faults as fx
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


def rendered(site: ReplicaSite, path: str) -> FetchedPage:
    return page(ORIGIN + path, site.render(path).body)


def test_a_feed_with_char_refs_beyond_unicode_keeps_every_item() -> None:
    body = (FIXTURES / "hostile_feed.xml").read_bytes()
    found = parse_feed(page("https://unn.ua/en/rss/news_en.xml", body), load_profile())
    assert [i.slug for i in found.items] == ["tom-and-jerry", "kyiv-metro-opens", "out-of-range"]
    assert found.error and found.error.startswith("malformed feed")  # the bare "&" is reported
    assert found.items[1].published_at == datetime(2025, 2, 5, 8, 0, tzinfo=UTC)


def test_the_replicas_hostile_feed_gives_all_its_items(site: ReplicaSite) -> None:
    profile = load_profile(origin=ORIGIN)
    whole = rendered(site, "/rss/news_uk.xml")
    hostile = replace(whole, body=fx.hostile_feed(whole.body))
    assert hostile.body != whole.body
    found, complete = parse_feed(hostile, profile), parse_feed(whole, profile)
    assert found.error and [i.url for i in found.items] == [i.url for i in complete.items]


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00\xff\xfe<rss", b"<rss version='2.0'><channel><item><link>http://[::1/x</link>"],
    ids=["empty", "binary", "bad-link"],
)
def test_a_feed_never_raises(body: bytes) -> None:
    found = parse_feed(page("https://unn.ua/rss/news_uk.xml", body), load_profile())
    assert found.items == () and found.error


def test_a_listing_cut_short_is_damaged_and_keeps_only_whole_items(site: ReplicaSite) -> None:
    profile = load_profile(origin=ORIGIN)
    whole = parse_listing(rendered(site, "/news?page=2"), profile)
    listing = rendered(site, "/news?page=2")
    cut = parse_listing(replace(listing, body=fx.truncated(listing.body)), profile)
    assert whole.error is None and whole.has_next
    assert cut.error == "listing page cut short" and not cut.has_next
    assert 0 < len(cut.items) < len(whole.items)
    assert cut.items == whole.items[: len(cut.items)]  # no half-cut link among them


def test_an_emptied_listing_looks_like_the_end(site: ReplicaSite) -> None:
    listing = rendered(site, "/en/news?page=1")
    found = parse_listing(replace(listing, body=fx.empty_listing(listing.body)), load_profile())
    assert (found.items, found.has_next, found.error) == ((), False, None)


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00\x00", b"<html><body><div class='news-list_item__x'><a href='http://[::1/n'>"],
)
def test_a_listing_never_raises(body: bytes) -> None:
    found = parse_listing(page(ORIGIN + "/news?page=1", body), load_profile(origin=ORIGIN))
    assert found.items == () and found.error


def article_page(site: ReplicaSite) -> FetchedPage:
    first = next(a for a in site.truth()["articles"] if a["edition"] == "uk")
    return rendered(site, first["url"][len(ORIGIN) :])


def test_a_bad_image_url_is_dropped_for_the_image_the_page_shows(site: ReplicaSite) -> None:
    good = article_page(site)
    bad = replace(good, body=fx.bad_og_image(good.body))
    assert fx.BAD_IMAGE_URL.encode() in bad.body
    profile = load_profile(origin=ORIGIN)
    result, reference = analyse_page(bad, profile), analyse_page(good, profile)
    assert isinstance(result, AnalysedArticle) and isinstance(reference, AnalysedArticle)
    # The declared og:image is dropped; the lead image is the one the page shows.
    assert reference.article.image_url and result.article.image_url == reference.article.image_url
    assert fx.BAD_IMAGE_URL not in str(result.article.image)
    assert any("image" in w and "Invalid IPv6 URL" in w for w in result.article.warnings)
    assert result.content_hash == reference.content_hash


def test_an_extractor_crash_is_a_failure_with_its_real_reason(
    site: ReplicaSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object) -> object:
        raise AssertionError("drop_tree on the root")

    monkeypatch.setattr(article_module, "choose_content", boom)
    result = analyse_page(article_page(site), load_profile(origin=ORIGIN))
    assert isinstance(result, AnalysisFailure)
    assert result.reason == "extraction crashed: AssertionError: drop_tree on the root"


def test_a_page_that_is_all_furniture_does_not_crash_the_extractor() -> None:
    body = b"<footer class='footer_root__x'><p>only a footer</p></footer>"
    result = analyse_page(page(ORIGIN + "/news/only-footer", body), load_profile(origin=ORIGIN))
    assert isinstance(result, AnalysisFailure) and "crashed" not in result.reason


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8765/news/a", True),
        ("/en/news/a", True),
        ("http://127.0.0.1:8766/news/a", False),
        ("https://127.0.0.1:8765/news/a", False),
        ("http://127.0.0.1/news/a", False),
        ("http://[::1/news/a", False),
        ("http://127.0.0.1:99999/news/a", False),
    ],
    ids=["same", "relative", "other-port", "other-scheme", "default-port", "bad-ipv6", "bad-port"],
)
def test_article_urls_must_be_on_the_sites_whole_origin(url: str, expected: bool) -> None:
    assert (article_key(url, load_profile(origin=ORIGIN)) is not None) is expected


def test_default_ports_are_made_explicit() -> None:
    assert url_origin("https://UNN.ua/news/a") == "https://unn.ua:443"
    assert article_key("https://unn.ua:443/news/a", load_profile()) is not None
    assert article_key("http://unn.ua/news/a", load_profile()) is None
