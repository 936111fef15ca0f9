"""The UNN profile path: recorded pages give exactly the expected article record."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from unn_ingest.config.profiles import load_profile
from unn_ingest.extractors.article import EXTRACTOR_VERSION, extract_article
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import ExtractedArticle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extractors" / "unn"
CASES = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))


def _page(name: str) -> tuple[FetchedPage, dict[str, Any]]:
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    body = (FIXTURES / f"{name}.html").read_bytes()
    page = FetchedPage(
        url=expected["page_url"],
        final_url=expected["page_url"],
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
        body=body,
        fetched_at=datetime(2025, 11, 20, tzinfo=UTC),
    )
    return page, expected


def _extract(name: str) -> tuple[ExtractedArticle, dict[str, Any]]:
    page, expected = _page(name)
    article = extract_article(page, load_profile("unn"))
    assert article is not None
    return article, expected


@pytest.mark.parametrize("name", CASES)
def test_text_fields_match_the_recorded_page(name: str) -> None:
    article, expected = _extract(name)
    assert article.title == expected["title"]
    assert article.lead == expected["lead"]
    assert list(article.paragraphs) == expected["paragraphs"]


@pytest.mark.parametrize("name", CASES)
def test_identity_fields_come_from_the_url(name: str) -> None:
    article, expected = _extract(name)
    assert (article.url, article.edition, article.slug) == (
        expected["url"],
        expected["edition"],
        expected["slug"],
    )
    assert article.extractor_version == EXTRACTOR_VERSION


@pytest.mark.parametrize("name", CASES)
def test_metadata_matches_the_recorded_page(name: str) -> None:
    article, expected = _extract(name)
    assert list(article.authors) == expected["authors"]
    assert article.rubric == expected["rubric"]
    assert list(article.tags) == expected["tags"]
    assert article.image_url == expected["image_url"]


@pytest.mark.parametrize("name", CASES)
def test_times_are_utc(name: str) -> None:
    article, expected = _extract(name)
    assert article.published_at is not None
    assert article.published_at.utcoffset() is not None
    assert article.published_at.isoformat() == expected["published_at"]
    if "modified_at" in expected:
        assert article.modified_at is not None
        assert article.modified_at.isoformat() == expected["modified_at"]


@pytest.mark.parametrize("name", CASES)
def test_edition_links_are_article_urls_of_other_editions(name: str) -> None:
    article, expected = _extract(name)
    found = sorted([link.edition, link.url, link.method] for link in article.links)
    assert found == sorted(expected["links"])
