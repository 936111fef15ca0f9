"""Ground truth: its shape, and that it agrees with what the pages show."""

from __future__ import annotations

import lxml.html

from tests.replica.conftest import START
from tests.replica.helpers import by_class, one
from unn_ingest.replica.site import ReplicaSite

KEYS = {
    "url", "amp_url", "story_id", "edition", "language", "slug", "title", "lead", "body",
    "published_at", "visible_from", "author", "rubric", "tags", "image_url", "link_variant",
    "republication_of", "handwritten", "revisions", "rubric_key", "image", "modified_at",
    "sections",
}  # fmt: skip


def article(site: ReplicaSite, story_id: str, edition: str) -> dict[str, object]:
    """Return one truth record."""
    found: list[dict[str, object]] = [
        a for a in site.truth()["articles"] if a["story_id"] == story_id and a["edition"] == edition
    ]
    assert len(found) == 1
    return found[0]


def test_truth_document_header(site: ReplicaSite) -> None:
    truth = site.truth()
    assert truth["seed"] == 1
    assert truth["now"] == "2025-11-20T10:00:00Z"
    assert truth["origin"] == site.origin
    assert all(set(a) == KEYS for a in truth["articles"])


def test_every_truth_url_renders_with_its_title_lead_and_body(site: ReplicaSite) -> None:
    for record in site.truth()["articles"]:
        for key in ("url", "amp_url"):
            response = site.render(record[key].removeprefix(site.origin))
            assert response.status == 200, record[key]
        tree = lxml.html.fromstring(site.render(record["url"].removeprefix(site.origin)).body)
        assert one(tree, "single-news-card_newsTitle").text == record["title"]
        assert one(tree, "single-news-card_announce").text == record["lead"]
        body = one(tree, "single-news-card_body")
        related = set(by_class(body, "related-news_root"))
        texts = [el.text_content() for el in body if el not in related]
        assert texts == record["body"]


def test_truth_lists_only_visible_articles(site: ReplicaSite) -> None:
    urls = {a["url"] for a in site.truth()["articles"]}
    assert f"{site.origin}/news/hre-uk-slug" in urls
    assert f"{site.origin}/news/fut-uk-slug" not in urls
    assert f"{site.origin}/en/news/swi-en-slug" not in urls
    assert all(a["visible_from"] <= "2025-11-20T10:00:00Z" for a in site.truth()["articles"])


def test_delayed_translation_keeps_the_original_publish_time(site: ReplicaSite) -> None:
    site.clock.advance(3600)
    record = article(site, "swi", "en")
    assert record["published_at"] == "2025-11-20T09:10:00Z"
    assert record["visible_from"] == "2025-11-20T10:40:00Z"


def test_republication_points_at_the_original_edition(site: ReplicaSite) -> None:
    assert article(site, "rep", "ru")["republication_of"] == f"{site.origin}/ru/news/hre-ru-slug"
    assert article(site, "hre", "ru")["republication_of"] is None


def test_mislabelled_page_reports_its_real_language(site: ReplicaSite) -> None:
    record = article(site, "mis", "en")
    assert (record["edition"], record["language"]) == ("en", "uk")


def test_revisions_appear_once_replaced(site: ReplicaSite) -> None:
    assert article(site, "rev", "en")["revisions"] == []
    assert article(site, "rev", "en")["title"] == "Old title of rev"
    site.clock.set(START.replace(minute=30))
    record = article(site, "rev", "en")
    assert record["title"] == "Title of rev (en)"
    assert record["revisions"] == [
        {
            "at": "2025-11-20T10:30:00Z",
            "title": "Old title of rev",
            "lead": "Old lead of rev.",
            "body": ["Old body of rev, UNN reports."],
        }
    ]


def test_truth_records_link_variant_and_metadata(site: ReplicaSite) -> None:
    record = article(site, "hre", "uk")
    assert record["link_variant"] == "hreflang"
    assert record["author"] == "Author hre" and record["rubric"] == "Політика"
    assert record["tags"] == ["tag-hre", "Київ"]
    assert str(record["image_url"]).startswith(f"{site.origin}/img/")


def test_truth_follows_the_origin(site: ReplicaSite) -> None:
    site.set_origin("http://127.0.0.1:9999/")
    assert article(site, "hre", "uk")["url"] == "http://127.0.0.1:9999/news/hre-uk-slug"
    response = site.render("/news/hre-uk-slug")
    assert b'href="http://127.0.0.1:9999/news/hre-uk-slug"' in response.body
