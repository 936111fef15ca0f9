"""The full article page: head metadata, chrome, the article's parts, in the site's order."""

from __future__ import annotations

import json
import re

import pytest

from tests.replica.helpers import by_class, meta, one, page
from unn_ingest.replica.render_article import has_next_data
from unn_ingest.replica.site import ReplicaSite

HRE = {"uk": "/news/hre-uk-slug", "en": "/en/news/hre-en-slug", "ru": "/ru/news/hre-ru-slug"}
DATELINE = {"uk": "Київ • УНН", "en": "Kyiv • UNN", "ru": "Киев • УНН"}
DATE = {"uk": "20 листопада, 11:00", "en": "November 20, 11:00 AM", "ru": "20 ноября, 11:00"}
VIEWS_WORDS = {"uk": "перегляд", "en": "view", "ru": "просмотр"}
POPULAR = {"uk": "Популярні новини", "en": "Popular news", "ru": "Популярные новости"}


@pytest.mark.parametrize("edition", ["uk", "en", "ru"])
def test_head_has_open_graph_canonical_and_amphtml(site: ReplicaSite, edition: str) -> None:
    tree = page(site, HRE[edition])
    origin = site.origin
    assert tree.xpath("//title/text()")[0].startswith(f"Title of hre ({edition})")
    assert meta(tree, "description") == f"Lead of hre in {edition}."
    assert meta(tree, "og:title") == f"Title of hre ({edition})"
    assert meta(tree, "og:url") == origin + HRE[edition]
    assert meta(tree, "og:type") == "article"
    assert (meta(tree, "og:image") or "").startswith(origin + "/img/2025/11/20/")
    assert meta(tree, "article:published_time") == "2025-11-20T11:00:00+02:00"
    assert tree.xpath('//link[@rel="canonical"]/@href') == [origin + HRE[edition]]
    amp = HRE[edition].replace("/news/", "/amp/")
    assert tree.xpath('//link[@rel="amphtml"]/@href') == [origin + amp]
    assert tree.xpath("/html/@lang") == [edition]


def test_chrome_comes_before_the_article_in_site_order(site: ReplicaSite) -> None:
    html = site.render(HRE["en"]).text()
    order = [
        "currency_root__",
        "lang-switcher_root__",
        "rubric-menu_root__",
        "news-card_root__",
        "single-news-card_root__",
        "popular-news_root__",
        "footer_root__",
    ]
    positions = [html.index(name) for name in order]
    assert positions == sorted(positions)


def test_currency_box_shows_usd_and_eur_with_changes(site: ReplicaSite) -> None:
    text = one(page(site, HRE["en"]), "currency_root").text_content()
    assert re.fullmatch(r"\$\d\d\.\d\d [+-]\d\.\d\d€\d\d\.\d\d [+-]\d\.\d\d", text)


def test_rubric_menu_is_localised(site: ReplicaSite) -> None:
    links = one(page(site, HRE["ru"]), "rubric-menu_root").xpath(".//a")
    assert [a.text for a in links][:2] == ["Политика", "Экономика"]
    assert links[0].get("href") == "/ru/politics"


def test_widget_lists_ten_other_stories_with_time_views_and_badges(site: ReplicaSite) -> None:
    tree = page(site, "/en/news/mis-en-slug")
    cards = by_class(one(tree, "news-feed_root"), "news-card_root")
    assert len(cards) == 10
    hrefs = [card.xpath(".//a/@href")[0] for card in cards]
    assert "/en/news/mis-en-slug" not in hrefs
    hre = cards[hrefs.index(HRE["en"])]
    assert one(hre, "news-card_exclusive").text == "Exclusive"
    assert one(hre, "news-card_time").text == "11:00 AM"
    assert re.fullmatch(r"• \d+ views?", one(hre, "news-card_views").text)
    assert one(hre, "news-card_title").text_content() == "Title of hre (en)Photo"


def test_widget_shows_the_date_for_items_not_from_today(site: ReplicaSite) -> None:
    site.clock.advance(24 * 3600)
    times = [t.text for t in by_class(page(site, HRE["uk"]), "news-card_time")]
    assert times and all("листопада" in t for t in times)


@pytest.mark.parametrize("edition", ["uk", "en", "ru"])
def test_article_meta_has_dateline_date_and_views(site: ReplicaSite, edition: str) -> None:
    meta_line = one(page(site, HRE[edition]), "single-news-card_meta")
    assert one(meta_line, "single-news-card_dateline").text == DATELINE[edition]
    time = meta_line.xpath(".//time")[0]
    assert time.text == DATE[edition]
    assert time.get("datetime") == "2025-11-20T11:00:00+02:00"
    views = one(meta_line, "single-news-card_views").text
    assert views.startswith("• ") and VIEWS_WORDS[edition] in views


def test_article_title_lead_and_figure(site: ReplicaSite) -> None:
    tree = page(site, HRE["uk"])
    assert one(tree, "single-news-card_newsTitle").text == "Title of hre (uk)"
    assert one(tree, "single-news-card_announce").text == "Lead of hre in uk."
    img = one(tree, "single-news-card_image").xpath(".//img")[0]
    assert img.get("alt") == "Title of hre (uk)"
    assert img.get("src").startswith("/img/")


def test_figure_has_photo_credit_when_the_edition_has_one(site: ReplicaSite) -> None:
    figure = one(page(site, "/en/news/mis-en-slug"), "single-news-card_image")
    assert figure.xpath(".//figcaption/text()") == ["Photo: Jane Doe"]
    assert not one(page(site, HRE["en"]), "single-news-card_image").xpath(".//figcaption")


def test_body_has_attribution_subheads_quote_and_related_links(site: ReplicaSite) -> None:
    body = one(page(site, HRE["en"]), "single-news-card_body")
    paragraphs = [p for p in body.xpath("./p") if not p.get("class")]
    assert paragraphs[0].text.endswith(", UNN reports.")
    assert body.xpath("./h2/text()") == ["Details", "Recall"]
    assert body.xpath("./blockquote/text()") == ["A quoted line of hre."]
    related = by_class(body, "related-news_root")
    assert len(related) == 2
    for link in related:
        assert link.xpath("./a/@href")[0].startswith("/en/news/")
        assert re.search(r"\d\d\.\d\d\.\d\d, \d\d:\d\d • \d+ views?$", link.text_content())


def test_short_body_has_no_related_links(site: ReplicaSite) -> None:
    body = one(page(site, "/news/sho-uk-slug"), "single-news-card_body")
    assert body.xpath("./p") and not by_class(body, "related-news_root")


def test_tags_link_to_tag_pages(site: ReplicaSite) -> None:
    tags = one(page(site, HRE["uk"]), "single-news-card_tags").xpath(".//a")
    assert [a.text for a in tags] == ["tag-hre", "Київ"]
    assert tags[1].get("href") == "/tags/%D0%9A%D0%B8%D1%97%D0%B2"


def test_full_page_shows_the_author_after_the_body(site: ReplicaSite) -> None:
    # As on the stored seed page (shared/seeds): the byline follows the body.
    tree = page(site, HRE["en"])
    author = one(tree, "single-news-card_author")
    assert author.text == "Author hre"
    assert author.getprevious() is one(tree, "single-news-card_body")


@pytest.mark.parametrize("edition", ["uk", "en", "ru"])
def test_popular_news_and_footer_lines(site: ReplicaSite, edition: str) -> None:
    tree = page(site, HRE[edition])
    popular = one(tree, "popular-news_root")
    assert popular.xpath(".//h2/text()") == [POPULAR[edition]]
    assert len(by_class(popular, "news-card_root")) == 5
    footer = one(tree, "footer_root").text_content()
    assert "R40-05926" in footer and "© 2007 — 2025" in footer
    assert "21" in footer


def test_footer_lines_in_english(site: ReplicaSite) -> None:
    footer = one(page(site, HRE["en"]), "footer_root").text_content()
    for line in (
        "Information agency «Ukrainian National News»",
        "intended for persons who have reached the age of 21",
        "All rights reserved. © 2007 — 2025",
    ):
        assert line in footer


def test_next_data_appears_on_about_a_third_of_stories(site: ReplicaSite) -> None:
    ids = [f"s{i}" for i in range(300)]
    share = sum(has_next_data(1, i) for i in ids) / len(ids)
    assert 0.25 < share < 0.42


def test_next_data_carries_the_article(site: ReplicaSite) -> None:
    story = next(s for s in site.catalogue.stories if has_next_data(1, s.story_id))
    text = story.editions["uk"]
    tree = page(site, f"/news/{text.slug}")
    script = tree.xpath('//script[@id="__NEXT_DATA__"]/text()')
    article = json.loads(script[0])["props"]["pageProps"]["article"]
    assert article["title"] == text.title
    assert article["author"] == text.author
    assert article["lang"] == "uk" and article["slug"] == text.slug
    assert article["body"].startswith("<p>First paragraph")


def test_pages_without_next_data_have_no_script(site: ReplicaSite) -> None:
    story = next(s for s in site.catalogue.stories if not has_next_data(1, s.story_id))
    tree = page(site, f"/news/{story.editions['uk'].slug}")
    assert not tree.xpath('//script[@id="__NEXT_DATA__"]')
