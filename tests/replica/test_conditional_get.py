"""Conditional GET: ETag and Last-Modified validators answer 304 while nothing changed."""

from __future__ import annotations

import pytest

from unn_ingest.replica.site import ReplicaSite

PATHS = ["/news/hre-uk-slug", "/en/amp/hre-en-slug", "/rss/news_ru.xml", "/news", "/en"]


@pytest.mark.parametrize("path", PATHS)
def test_matching_etag_gives_304_without_body(site: ReplicaSite, path: str) -> None:
    first = site.render(path)
    again = site.render(path, headers={"If-None-Match": first.headers["etag"]})
    assert (again.status, again.body) == (304, b"")
    assert again.headers["etag"] == first.headers["etag"]


@pytest.mark.parametrize("path", PATHS)
def test_if_modified_since_last_modified_gives_304(site: ReplicaSite, path: str) -> None:
    first = site.render(path)
    again = site.render(path, headers={"if-modified-since": first.headers["last-modified"]})
    assert again.status == 304


def test_stale_etag_gives_the_page(site: ReplicaSite) -> None:
    response = site.render("/news/hre-uk-slug", headers={"If-None-Match": '"nope"'})
    assert response.status == 200 and response.body


def test_if_none_match_wins_over_if_modified_since(site: ReplicaSite) -> None:
    first = site.render("/rss/news_uk.xml")
    headers = {"If-None-Match": '"other"', "If-Modified-Since": first.headers["last-modified"]}
    assert site.render("/rss/news_uk.xml", headers=headers).status == 200


def test_a_correction_changes_both_validators(site: ReplicaSite) -> None:
    first = site.render("/en/news/rev-en-slug")
    site.clock.advance(30 * 60)
    etag = site.render("/en/news/rev-en-slug", headers={"If-None-Match": first.headers["etag"]})
    since = {"If-Modified-Since": first.headers["last-modified"]}
    assert etag.status == 200
    assert site.render("/en/news/rev-en-slug", headers=since).status == 200


def test_article_etag_ignores_view_counts(site: ReplicaSite) -> None:
    first = site.render("/news/hre-uk-slug")
    site.clock.advance(600)
    second = site.render("/news/hre-uk-slug")
    assert second.body != first.body
    assert second.headers["etag"] == first.headers["etag"]
    assert first.headers["etag"].startswith('W/"')


def test_a_new_story_changes_the_feed_etag(site: ReplicaSite) -> None:
    first = site.render("/rss/news_uk.xml")
    site.clock.advance(2 * 3600)
    again = site.render("/rss/news_uk.xml", headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 200


def test_404_is_never_304(site: ReplicaSite) -> None:
    assert site.render("/nothing", headers={"If-None-Match": "*"}).status == 404
