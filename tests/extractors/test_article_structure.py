"""Structure before class names: pages whose markup the profile's classes miss, wholly or partly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from unn_ingest.config.profiles import load_profile
from unn_ingest.extractors.article import extract_article
from unn_ingest.extractors.drift import suggest_prefixes
from unn_ingest.extractors.html_decode import parse_html
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import EditionLink, ExtractedArticle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extractors" / "structure"
WHEN = datetime(2025, 11, 20, tzinfo=UTC)
RARE_EARTH = "https://unn.ua/news/rosiia-vyrishyla-vydobuvaty-bilshe-ridkisnozemelnykh-metaliv"


def extract(name: str, url: str) -> ExtractedArticle:
    body = (FIXTURES / name).read_bytes()
    article = extract_article(FetchedPage(url, url, 200, {}, body, WHEN), load_profile("unn"))
    assert article is not None
    return article


@pytest.fixture(scope="module")
def rare_earth() -> ExtractedArticle:
    return extract("uk_hreflang_anchors.html", RARE_EARTH)


def test_title_lead_and_body_come_from_structure(rare_earth: ExtractedArticle) -> None:
    assert rare_earth.title == "Росія вирішила видобувати більше рідкісноземельних металів"
    assert rare_earth.lead.startswith("У Росії уряду доручили")
    assert rare_earth.paragraphs[0].endswith("передає УНН з посиланням на Politico.")
    sources = dict(rare_earth.sources)
    assert (sources["title"], sources["lead"], sources["body"]) == ("structure",) * 3
    assert rare_earth.warnings == ("body from page structure",)


def test_unclassed_inline_related_line_and_byline_leave_the_body(
    rare_earth: ExtractedArticle,
) -> None:
    assert not [p for p in rare_earth.paragraphs if "01.11.25" in p or "Китай запроваджує" in p]
    assert "Ігор Тележніков" not in rare_earth.body
    assert rare_earth.paragraphs[-2:] == (
        "Довідка",
        "Світовий ринок рідкісноземельних металів нині контролює Китай, який виробляє близько "
        "двох третин світового обсягу.",
    )
    assert len(rare_earth.paragraphs) == 6


def test_author_shown_after_the_body_is_read(rare_earth: ExtractedArticle) -> None:
    assert rare_earth.authors == ("Ігор Тележніков",)


def test_anchors_carrying_hreflang_link_the_other_editions(rare_earth: ExtractedArticle) -> None:
    assert rare_earth.links == (
        EditionLink(
            "en",
            "https://unn.ua/en/news/russia-decided-to-extract-more-rare-earth-metals",
            "switcher",
        ),
        EditionLink(
            "ru",
            "https://unn.ua/ru/news/rossiya-reshila-dobyvat-bolshe-redkozemelnykh-metallov",
            "switcher",
        ),
    )
    assert dict(rare_earth.sources)["switcher"] == "structure"


def test_edition_labelled_anchors_link_articles_never_home_pages() -> None:
    article = extract("en_labelled_switcher.html", "https://unn.ua/en/news/government-approves")
    assert article.links == (
        EditionLink(
            "uk", "https://unn.ua/news/uriad-ukhvalyv-novi-pravyla-dlia-veteraniv", "switcher"
        ),
    )
    assert article.lead == "The Cabinet changed how veterans are paid."
    assert (
        article.paragraphs[0]
        == "The government adopted the resolution at its meeting on Monday, UNN reports."
    )
    assert len(article.paragraphs) == 4


def test_profile_body_class_on_part_of_the_body_gives_way_to_structure() -> None:
    article = extract("uk_partial_profile.html", "https://unn.ua/news/uriad-ukhvalyv-novi-pravyla")
    assert article.paragraphs[0] == "Відповідну постанову ухвалили на засіданні уряду, передає УНН."
    assert len(article.paragraphs) == 4
    sources = dict(article.sources)
    assert (sources["title"], sources["lead"], sources["body"]) == (
        "profile",
        "profile",
        "structure",
    )


def test_probe_suggestions_name_the_module_classes_there_now() -> None:
    tree = parse_html((FIXTURES / "uk_hreflang_anchors.html").read_text(encoding="utf-8"))
    assert tree is not None
    suggested = suggest_prefixes(tree, load_profile("unn").css)
    assert suggested["title"][0] == "story_title"
    assert suggested["lead"][0] == "story_lead"
    assert suggested["body"][0] == "story_text"
    assert suggested["switcher"][0] == "locale_bar"
    assert suggested["author"][0] == "story_byline"


def test_no_suggestion_where_the_profile_still_matches() -> None:
    tree = parse_html((FIXTURES / "uk_partial_profile.html").read_text(encoding="utf-8"))
    assert tree is not None
    assert set(suggest_prefixes(tree, load_profile("unn").css)) == set()


def test_denser_block_elsewhere_never_replaces_the_profile_body() -> None:
    article = extract("uk_dense_widget.html", "https://unn.ua/news/korotka-novyna")
    assert article.paragraphs == ("Сталася коротка подія, передає УНН.", "Подробиці уточнюються.")
    assert dict(article.sources)["body"] == "profile"


def test_bare_name_closing_the_body_is_the_author_as_on_the_seed_page() -> None:
    article = extract(
        "en_seed_like.html",
        "https://unn.ua/en/news/russia-decided-to-extract-more-rare-earth-metals",
    )
    assert article.authors == ("Ihor Telezhnikov",)
    assert article.paragraphs[-2:] == (
        "Reference",
        "The global rare earth metals market is currently dominated by China, which produces "
        "about two-thirds of the world's supply.",
    )
    assert article.paragraphs[0].endswith("UNN reports with reference to Politico.")
    assert {link.edition for link in article.links} == {"uk", "ru"}
    assert dict(article.sources)["switcher"] == "structure"


def test_a_short_body_after_the_headline_beats_the_legal_lines_before_it() -> None:
    # The site shows its legal lines before the article: more prose than a two-line body.
    url = "https://unn.ua/en/news/upl-round-25-kolos-vs-shakhtar-2-0"
    article = extract("en_short_body_after_legal.html", url)
    assert article.paragraphs == (
        "The UPL round 25 match between Kolos and Shakhtar ended 2:0, UNN reports.",
        "The referee showed 4 yellow cards.",
    )
