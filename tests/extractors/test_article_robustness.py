"""Bad input never raises: wrong charsets are recovered, hopeless pages give None."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from unn_ingest.config.profiles import load_profile
from unn_ingest.extractors.article import extract_article
from unn_ingest.extractors.page import FetchedPage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extractors"
UK_URL = "https://unn.ua/news/uriad-ukhvalyv-novi-pravyla-dlia-veteraniv"
UK_HTML = FIXTURES / "unn" / "uk_home_switcher.html"
WHEN = datetime(2025, 11, 20, tzinfo=UTC)


def _page(
    body: bytes, headers: dict[str, str], url: str = UK_URL, status: int = 200
) -> FetchedPage:
    return FetchedPage(url, url, status, headers, body, WHEN)


def _cp1251_body(keep_meta: bool) -> bytes:
    text = UK_HTML.read_text(encoding="utf-8")
    if not keep_meta:
        text = text.replace('<meta charset="utf-8">', "")
    return text.encode("cp1251", errors="strict")


@pytest.mark.parametrize(
    ("headers", "keep_meta"),
    [
        ({"Content-Type": "text/html; charset=utf-8"}, True),
        ({"Content-Type": "text/html"}, False),
        ({}, True),
        ({"content-type": "text/html; charset=windows-1251"}, True),
        ({"Content-Type": "text/html; charset=bogus-charset"}, False),
    ],
    ids=["labelled-utf8", "no-charset", "meta-only-utf8", "declared-cp1251", "unknown-charset"],
)
def test_cp1251_bytes_are_decoded_whatever_the_label(
    headers: dict[str, str], keep_meta: bool
) -> None:
    article = extract_article(_page(_cp1251_body(keep_meta), headers), load_profile("unn"))
    assert article is not None
    assert article.title == "Уряд ухвалив нові правила для ветеранів"
    assert article.paragraphs[0] == "Відповідну постанову ухвалили на засіданні уряду, передає УНН."


def test_utf8_bytes_labelled_cp1251_stay_utf8() -> None:
    page = _page(UK_HTML.read_bytes(), {"Content-Type": "text/html; charset=windows-1251"})
    article = extract_article(page, load_profile("unn"))
    assert article is not None
    assert article.lead == "Кабмін змінив порядок виплат ветеранам."


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 200),
        (b"   \n ", 200),
        ((FIXTURES / "pages" / "random_bytes.bin").read_bytes(), 200),
        (UK_HTML.read_bytes(), 404),
        (UK_HTML.read_bytes()[:700], 200),
    ],
    ids=["empty", "whitespace", "random-bytes", "status-404", "truncated-head"],
)
@pytest.mark.parametrize("use_profile", [True, False], ids=["profile", "generic"])
def test_hopeless_pages_give_none_without_raising(
    body: bytes, status: int, use_profile: bool
) -> None:
    profile = load_profile("unn") if use_profile else None
    assert extract_article(_page(body, {}, status=status), profile) is None


def test_broken_markup_is_read_as_far_as_it_goes() -> None:
    body = (FIXTURES / "pages" / "broken_markup.html").read_bytes()
    article = extract_article(_page(body, {}), None)
    assert article is not None
    assert "Unclosed bold and" in article.body


@pytest.mark.parametrize("cut_before", ["<main>", "<h2>Нагадаємо", "</article>", "<footer"])
def test_site_page_cut_short_gives_none(cut_before: str) -> None:
    body = UK_HTML.read_bytes()
    cut = body[: body.index(cut_before.encode("utf-8"))]
    assert extract_article(_page(cut, {}), load_profile("unn")) is None


def test_fallback_never_takes_widgets_for_the_body() -> None:
    url = "https://unn.ua/en/news/ukraine-receives-new-air-defence-systems"
    body = (FIXTURES / "pages" / "unn_en_without_body.html").read_bytes()
    article = extract_article(_page(body, {}, url=url), load_profile("unn"))
    text = article.body if article is not None else ""
    for furniture in ("Prices rise again", "Fuel prices fall", "views", "$43.17", "R40-05926"):
        assert furniture not in text


def test_non_article_url_of_the_site_gives_none() -> None:
    page = _page(UK_HTML.read_bytes(), {}, url="https://unn.ua/politics")
    assert extract_article(page, load_profile("unn")) is None


def test_unknown_layout_falls_back_to_page_structure_without_furniture() -> None:
    body = (FIXTURES / "pages" / "uk_unknown_layout.html").read_bytes()
    article = extract_article(
        _page(body, {}, url="https://unn.ua/news/zelenskyi-provid-naradu"), load_profile("unn")
    )
    assert article is not None
    assert article.warnings == ("body from page structure",)
    assert dict(article.sources)["body"] == "structure"
    assert article.paragraphs[0].endswith("передає УНН.")
    assert len(article.paragraphs) == 4
    text = article.body
    for furniture in ("Київ • УНН", "перегляди", "$41.95", "R40-05926", "Інформаційне агентство"):
        assert furniture not in text
