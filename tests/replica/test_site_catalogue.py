"""The site over the real catalogue (hand-written plus generated stories)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import lxml.html
import pytest

from tests.replica.helpers import by_class, one
from unn_ingest.replica.site import ReplicaSite
from unn_ingest.replica.testing import make_site


@pytest.fixture
def real_site() -> ReplicaSite:
    """Return a fresh site over the seed-1 catalogue (300 generated stories)."""
    return make_site(seed=1, generated=300)


def test_every_truth_article_renders_full_and_amp(real_site: ReplicaSite) -> None:
    articles = real_site.truth()["articles"]
    assert len(articles) > 500
    for record in articles:
        for key in ("url", "amp_url"):
            response = real_site.render(record[key].removeprefix(real_site.origin))
            assert response.status == 200, record[key]
            assert lxml.html.fromstring(response.body).xpath("//h1")[0].text == record["title"]


def test_page_bodies_match_the_truth(real_site: ReplicaSite) -> None:
    for record in real_site.truth()["articles"][::7]:
        tree = lxml.html.fromstring(
            real_site.render(record["url"].removeprefix(real_site.origin)).body
        )
        body = one(tree, "single-news-card_body")
        related = set(by_class(body, "related-news_root"))
        assert [el.text_content() for el in body if el not in related] == record["body"]
        assert one(tree, "single-news-card_announce").text_content() == record["lead"]


def test_catalogue_exercises_every_link_variant(real_site: ReplicaSite) -> None:
    variants = Counter(a["link_variant"] for a in real_site.truth()["articles"])
    assert set(variants) == {"hreflang", "switcher", "home"}
    assert min(variants.values()) > 50


def test_hard_cases_are_visible_in_the_truth(real_site: ReplicaSite) -> None:
    real_site.clock.advance(24 * 3600)
    articles = real_site.truth()["articles"]
    assert any(a["language"] != a["edition"] for a in articles)
    assert any(a["republication_of"] for a in articles)
    assert any(a["revisions"] for a in articles)
    assert any(a["visible_from"] != a["published_at"] for a in articles)
    assert any(a["handwritten"] for a in articles) and any(not a["handwritten"] for a in articles)


def test_advancing_a_day_reveals_new_articles(real_site: ReplicaSite) -> None:
    before = {a["url"] for a in real_site.truth()["articles"]}
    real_site.clock.advance(24 * 3600)
    after = {a["url"] for a in real_site.truth()["articles"]}
    assert before < after


def test_republication_points_at_a_served_article(real_site: ReplicaSite) -> None:
    real_site.clock.advance(24 * 3600)
    urls = {a["url"] for a in real_site.truth()["articles"]}
    republished = [a for a in real_site.truth()["articles"] if a["republication_of"]]
    assert republished
    assert all(a["republication_of"] in urls for a in republished)


def test_feeds_and_listings_cover_the_visible_articles(real_site: ReplicaSite) -> None:
    visible = {a["url"].removeprefix(real_site.origin) for a in real_site.truth()["articles"]}
    listed: set[str] = set()
    for prefix in ("", "/en", "/ru"):
        page = 1
        while True:
            tree = lxml.html.fromstring(
                real_site.render(f"{prefix}/news", {"page": str(page)}).body
            )
            hrefs = [
                str(h) for h in tree.xpath('//a[starts-with(@class, "news-list_title__")]/@href')
            ]
            if not hrefs:
                break
            listed.update(hrefs)
            page += 1
    assert listed == visible


def test_the_clock_can_go_back_to_two_weeks_ago(real_site: ReplicaSite) -> None:
    real_site.clock.set(real_site.catalogue.start - timedelta(days=15))
    assert real_site.truth()["articles"] == []
