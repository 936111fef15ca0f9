"""The generic path on real pages nobody here wrote: Ukrainska Pravda with hreflang alternates."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from unn_ingest.extractors.article import extract_article
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import ExtractedArticle
from unn_ingest.extractors.scoring import score_page
from unn_ingest.flows.evaluation.datasets import (
    EvaluationDataError,
    data_dir,
    pravda_pages,
    require,
)

pytestmark = pytest.mark.needs_data  # reads the real data under ../shared/data

RU_PAGE = "Pravda_2026_01_08"


@pytest.fixture(scope="module")
def expected() -> dict[str, object]:
    try:
        folder = require(data_dir(), "fundus-pravda")
    except EvaluationDataError as exc:
        pytest.fail(str(exc))
    data: dict[str, object] = json.loads(
        (folder / f"{RU_PAGE}.expected.json").read_text(encoding="utf-8")
    )["V1"]
    return data


@pytest.fixture(scope="module")
def article() -> tuple[ExtractedArticle, str]:
    page = next(p for p in pravda_pages(data_dir()) if p.page_id == RU_PAGE)
    fetched = FetchedPage(page.url, page.url, 200, {}, page.html, datetime(2026, 1, 8, tzinfo=UTC))
    found = extract_article(fetched, None)
    assert found is not None
    return found, page.truth


def test_body_matches_fundus(article: tuple[ExtractedArticle, str]) -> None:
    found, truth = article
    assert score_page(found.body, truth).f1 >= 0.97


def test_metadata_matches_fundus(
    article: tuple[ExtractedArticle, str], expected: dict[str, object]
) -> None:
    found, _ = article
    assert found.title == expected["title"]
    assert list(found.authors) == expected["authors"]
    assert found.published_at == datetime(2026, 1, 8, 15, 46, tzinfo=UTC)
    assert found.edition == "ru"


def test_hreflang_gives_the_other_edition_only(article: tuple[ExtractedArticle, str]) -> None:
    found, _ = article
    assert [(link.edition, link.url, link.method) for link in found.links] == [
        ("uk", "https://www.pravda.com.ua/articles/2026/01/08/8015225/", "hreflang")
    ]
