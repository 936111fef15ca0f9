"""Explicit edition links: only other editions' article URLs on the page's own site count."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from unn_ingest.config.profiles import load_profile
from unn_ingest.extractors.article import extract_article
from unn_ingest.extractors.page import FetchedPage

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "extractors" / "pages"
URL = "https://unn.ua/news/test-posylan"


def _links(url: str = URL) -> set[tuple[str, str, str]]:
    body = (PAGES / "alternates_mixed.html").read_bytes()
    page = FetchedPage(url, url, 200, {}, body, datetime(2025, 1, 1, tzinfo=UTC))
    article = extract_article(page, load_profile("unn"))
    assert article is not None
    return {(link.edition, link.url, link.method) for link in article.links}


def test_hreflang_and_switcher_links_are_resolved_and_deduplicated() -> None:
    assert _links() == {
        ("en", "https://unn.ua/en/news/links-test", "hreflang"),
        ("ru", "https://unn.ua/ru/news/test-ssylok", "hreflang"),
    }


def test_amp_alternate_points_at_the_full_article() -> None:
    urls = {url for _, url, _ in _links()}
    assert "https://unn.ua/en/amp/links-test" not in urls


def test_no_link_to_the_pages_own_edition_or_other_hosts() -> None:
    links = _links()
    assert all(edition != "uk" for edition, _, _ in links)
    assert all(url.startswith("https://unn.ua/") for _, url, _ in links)


def test_x_default_and_non_article_paths_are_ignored() -> None:
    urls = {url for _, url, _ in _links()}
    assert "https://unn.ua/en/news/other-default" not in urls
    assert "https://unn.ua/ru/exclusives" not in urls
