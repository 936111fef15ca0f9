"""Every kind of UNN furniture is kept out of the article; subheads and the lead stay."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from unn_ingest.config.profiles import load_profile
from unn_ingest.extractors.article import extract_article
from unn_ingest.extractors.boilerplate import is_furniture_line
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import ExtractedArticle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extractors" / "unn"
URL = "https://unn.ua/en/news/ukraine-receives-new-air-defence-systems"

FURNITURE = {
    "currency-box": "$43.17",
    "currency-change": "-0.11",
    "switcher": "uk en ru",
    "rubric-menu": "Economics",
    "widget-card": "Prices rise again",
    "widget-badge": "Photo",
    "exclusive-label": "Exclusive",
    "views": "2517 views",
    "dateline": "Kyiv • UNN",
    "visible-date": "February 5, 10:18 AM",
    "image-caption": "Ministry of Defence",
    "inline-related-link": "Partners promise more aid",
    "related-link-time": "26.09.24",
    "tags": "weapons",
    "popular-news": "Popular news",
    "popular-card": "Fuel prices fall",
    "footer-agency": "Ukrainian National News",
    "footer-identifier": "R40-05926",
    "footer-age": "age of 21",
    "footer-rights": "All rights reserved",
}


@pytest.fixture(scope="module")
def article() -> ExtractedArticle:
    body = (FIXTURES / "en_hreflang.html").read_bytes()
    page = FetchedPage(URL, URL, 200, {}, body, datetime(2025, 2, 5, tzinfo=UTC))
    found = extract_article(page, load_profile("unn"))
    assert found is not None
    return found


@pytest.mark.parametrize("text", FURNITURE.values(), ids=FURNITURE.keys())
def test_furniture_is_not_in_title_lead_or_body(article: ExtractedArticle, text: str) -> None:
    assert text not in article.title
    assert text not in article.lead
    assert text not in article.body


def test_subheads_are_kept_as_their_own_paragraphs(article: ExtractedArticle) -> None:
    assert "Details" in article.paragraphs
    assert "Recall" in article.paragraphs
    assert article.paragraphs.index("Details") < article.paragraphs.index("Recall")


def test_lead_is_separate_from_the_body(article: ExtractedArticle) -> None:
    assert article.lead.startswith("Ukraine has received")
    assert all(article.lead not in paragraph for paragraph in article.paragraphs)


def test_attribution_and_quote_stay_in_the_body(article: ExtractedArticle) -> None:
    assert article.paragraphs[0].endswith("UNN reports.")
    assert any(p.startswith('"This is a strong signal') for p in article.paragraphs)


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("Kyiv • UNN", True),
        ("Київ • УНН", True),
        ("• 1 024 перегляди", True),
        ("• 980 просмотров", True),
        ("$43.17 +0.05 €45.02 -0.11", True),
        ("uk en ru", True),
        ("Popular news", True),
        ("Інформаційне агентство «Українські Національні Новини»", True),
        ("Partners promise more aid 26.09.24, 19:28 • 4521 views", True),
        ("Details", False),
        ("The systems arrived on Tuesday, UNN reports.", False),
        ("Over 1 000 views were recorded on the ministry's site on Monday.", False),
    ],
)
def test_furniture_lines_are_recognised(line: str, furniture: bool) -> None:
    assert is_furniture_line(line, load_profile("unn")) is furniture
