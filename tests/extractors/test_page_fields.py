"""The fields around the text, per source: visible markup with class names the profile does not
know, metadata (article:section, JSON-LD), __NEXT_DATA__, AMP, and a page with no author."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from unn_ingest.config.profiles import load_profile
from unn_ingest.extractors.article import extract_article
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import ExtractedArticle, ImageRef, Section

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extractors"
UK_URL = "https://unn.ua/news/uriad-ukhvalyv-novyi-biudzhet"


def extract(name: str, url: str = UK_URL, folder: str = "fields") -> ExtractedArticle:
    body = (FIXTURES / folder / f"{name}.html").read_bytes()
    page = FetchedPage(url, url, 200, {}, body, datetime(2025, 11, 20, tzinfo=UTC))
    article = extract_article(page, load_profile("unn"))
    assert article is not None
    return article


def test_an_author_block_of_an_unknown_class_after_the_body_is_found() -> None:
    article = extract("unknown_classes")
    assert article.authors == ("Ірина Коваленко",)
    assert ("author", "structure") in article.sources
    assert "Ірина Коваленко" not in article.paragraphs


def test_a_page_without_an_author_gives_none_not_a_guess() -> None:
    article = extract("no_author")
    assert article.authors == ()
    assert ("author", "none") in article.sources


def test_the_rubric_link_outside_the_menu_gives_name_and_key() -> None:
    article = extract("unknown_classes")
    assert (article.rubric, article.rubric_key) == ("Економіка", "/economics")
    assert ("rubric", "structure") in article.sources


def test_tag_links_of_an_unknown_class_lose_their_hash_sign() -> None:
    article = extract("unknown_classes")
    assert article.tags == ("Бюджет", "Уряд")


def test_the_lead_image_has_the_caption_and_credit_shown_with_it() -> None:
    article = extract("unknown_classes")
    assert article.image == ImageRef(
        "https://unn.ua/img/2025/11/19/1763540280-1111-large.webp", "Засідання уряду", "Кабмін"
    )
    assert article.image_url == article.image.url


def test_body_images_are_listed_with_caption_and_inline_credit() -> None:
    article = extract("unknown_classes")
    assert article.images == (
        ImageRef(
            "https://unn.ua/img/2025/11/19/chart-2222.webp", "Графік видатків бюджету.", "Мінфін"
        ),
    )


def test_sections_split_the_body_at_its_subheads() -> None:
    article = extract("unknown_classes")
    assert [s.subhead for s in article.sections] == ["", "Деталі", "Нагадаємо"]
    assert article.sections[2] == Section(
        "Нагадаємо",
        (
            "Минулого року бюджет ухвалили в другому читанні на початку грудня після тривалих "
            "обговорень у парламенті.",
        ),
    )
    flat = [p for s in article.sections for p in ((s.subhead,) if s.subhead else ()) + s.paragraphs]
    assert tuple(flat) == article.paragraphs


def test_the_visible_updated_time_is_the_modified_time() -> None:
    article = extract("unknown_classes")
    assert article.modified_at == datetime(2025, 11, 19, 10, 40, tzinfo=UTC)


def test_metadata_gives_rubric_keyed_through_the_menu_authors_and_modified_time() -> None:
    article = extract("metadata_only", "https://unn.ua/en/news/parliament-passes-the-budget")
    assert (article.rubric, article.rubric_key) == ("Economics", "/economics")
    assert ("rubric", "metadata") in article.sources
    assert article.authors == ("Olena Shevchenko",)  # JSON-LD, the publisher left out
    assert article.tags == ("Budget",)
    assert article.modified_at == datetime(2025, 11, 19, 9, 0, tzinfo=UTC)


def test_next_data_gives_author_rubric_tags_and_image() -> None:
    article = extract("next_data_only", "https://unn.ua/ru/news/rada-priniala-biudzhet")
    assert article.authors == ("Олег Петренко",)
    assert (article.rubric, article.rubric_key) == ("Экономика", "/economics")
    assert article.tags == ("Бюджет", "Рада")
    assert article.image_url == "https://unn.ua/img/2025/11/19/1763540280-4444-large.webp"
    assert {("author", "next-data"), ("rubric", "next-data")} <= set(article.sources)


def test_the_amp_page_gives_author_rubric_key_and_the_image_it_shows() -> None:
    url = "https://unn.ua/ru/amp/v-kieve-otkryli-novuyu-stantsiyu-metro"
    article = extract("ru_amp", url, folder="unn")
    assert (article.rubric, article.rubric_key) == ("Общество", "/society")
    assert article.authors and ("author", "profile") in article.sources
    assert article.image is not None
    assert article.image.caption == "В Киеве открыли новую станцию метро"  # its alt text


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("unknown_classes", UK_URL),
        ("metadata_only", "https://unn.ua/en/news/parliament-passes-the-budget"),
        ("next_data_only", "https://unn.ua/ru/news/rada-priniala-biudzhet"),
    ],
)
def test_the_profile_version_that_read_the_page_is_recorded(name: str, url: str) -> None:
    assert extract(name, url).profile_version == "default"
