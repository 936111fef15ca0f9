"""Listing pages, edition home pages, robots.txt, images and 404s."""

from __future__ import annotations

import pytest

from tests.replica.helpers import by_class, one, page
from unn_ingest.replica.render_listing import PAGE_SIZE
from unn_ingest.replica.site import IMAGE_BYTES, ReplicaSite


def rows(site: ReplicaSite, path: str, number: int | None = None) -> list[tuple[str, str, str]]:
    """Return (datetime, text, href) of each listing item on a page."""
    query = None if number is None else {"page": str(number)}
    root = one(page(site, path, query), "news-list_root")
    out = []
    for item in by_class(root, "news-list_item"):
        time = one(item, "news-list_time")
        link = one(item, "news-list_title")
        out.append((time.get("datetime"), time.text, link.get("href")))
    return out


@pytest.mark.parametrize("path", ["/news", "/en/news", "/ru/news"])
def test_listing_pages_hold_twenty_newest_first(site: ReplicaSite, path: str) -> None:
    first = rows(site, path, 1)
    assert len(first) == PAGE_SIZE
    stamps = [r[0] for r in first + rows(site, path, 2)]
    assert stamps == sorted(stamps, reverse=True)
    assert all(href.startswith(path + "/") for _, _, href in first)


def test_listing_item_shows_kyiv_time_in_two_forms(site: ReplicaSite) -> None:
    stamp, text, href = rows(site, "/en/news")[0]
    assert (stamp, text, href) == (
        "2025-11-20T11:50:00+02:00",
        "20.11.2025, 11:50",
        "/en/news/rep-en-slug",
    )


def test_listing_has_next_link_until_the_last_page(site: ReplicaSite) -> None:
    tree = page(site, "/news", {"page": "1"})
    assert tree.xpath('//a[@rel="next"]/@href') == ["?page=2"]
    visible = len(site.context().snapshot.visible["uk"])
    last = -(-visible // PAGE_SIZE)
    assert not page(site, "/news", {"page": str(last)}).xpath('//a[@rel="next"]')


def test_page_past_the_end_is_empty_not_missing(site: ReplicaSite) -> None:
    assert rows(site, "/news", 99) == []


@pytest.mark.parametrize("bad", ["0", "-1", "two"])
def test_bad_page_numbers_are_404(site: ReplicaSite, bad: str) -> None:
    assert site.render("/news", {"page": bad}).status == 404


@pytest.mark.parametrize(
    ("path", "listing"), [("/", "/news"), ("/en", "/en/news"), ("/ru", "/ru/news")]
)
def test_home_pages_show_listing_page_one(site: ReplicaSite, path: str, listing: str) -> None:
    assert rows(site, path) == rows(site, listing, 1)
    assert page(site, path).xpath('//a[@rel="next"]/@href') == [f"{listing}?page=2"]


def test_robots_allows_all_and_names_the_feeds(site: ReplicaSite) -> None:
    response = site.render("/robots.txt")
    text = response.text()
    assert response.status == 200 and "User-agent: *" in text and "Allow: /" in text
    assert all(f"/rss/news_{e}.xml" in text for e in ("uk", "en", "ru"))
    assert "sitemap" not in text.lower()


def test_known_images_are_served_and_others_are_404(site: ReplicaSite) -> None:
    path = site.catalogue.stories[0].image_path
    response = site.render(path)
    assert (response.status, response.body) == (200, IMAGE_BYTES)
    assert response.headers["content-type"] == "image/webp"
    assert site.render("/img/2025/01/01/1-0000-large.webp").status == 404


@pytest.mark.parametrize(
    "path",
    ["/nothing", "/news/no-such-slug", "/en/news/hre-uk-slug", "/news/fut-uk-slug", "/rss/x.xml"],
    ids=["unknown-path", "unknown-slug", "slug-of-another-edition", "not-yet-published", "feed"],
)
def test_unknown_paths_are_404(site: ReplicaSite, path: str) -> None:
    assert site.render(path).status == 404


@pytest.mark.parametrize(
    "target",
    ["/en/news?page=2", "http://127.0.0.1:8765/en/news?page=2"],
    ids=["path-with-query", "absolute-url"],
)
def test_render_accepts_a_query_in_the_path_or_a_full_url(site: ReplicaSite, target: str) -> None:
    assert site.render(target).body == site.render("/en/news", {"page": "2"}).body
