"""AMP pages: canonical link back, the same text, plus the author and the rubric."""

from __future__ import annotations

import pytest

from tests.replica.helpers import page
from unn_ingest.replica.site import ReplicaSite


@pytest.mark.parametrize("edition", ["uk", "en", "ru"])
def test_amp_page_has_author_rubric_and_canonical(site: ReplicaSite, edition: str) -> None:
    prefix = "" if edition == "uk" else f"/{edition}"
    tree = page(site, f"{prefix}/amp/hre-{edition}-slug")
    assert tree.xpath("/html/@amp") == [""]
    assert tree.xpath("/html/@lang") == [edition]
    canonical = f"{site.origin}{prefix}/news/hre-{edition}-slug"
    assert tree.xpath('//link[@rel="canonical"]/@href') == [canonical]
    assert tree.xpath('//*[@class="amp-author"]/text()') == ["Author hre"]
    rubric = tree.xpath('//a[@class="amp-rubric"]')[0]
    assert rubric.get("href") == f"{prefix}/politics"
    assert tree.xpath("//h1/text()") == [f"Title of hre ({edition})"]
    assert tree.xpath('//p[@class="amp-lead"]/text()') == [f"Lead of hre in {edition}."]


def test_amp_body_matches_the_full_page_body(site: ReplicaSite) -> None:
    amp = page(site, "/en/amp/hre-en-slug").xpath('//div[@class="amp-body"]/p[not(@class)]/text()')
    full = page(site, "/en/news/hre-en-slug").xpath(
        '//div[starts-with(@class, "single-news-card_body__")]/p[not(@class)]/text()'
    )
    assert amp == full and len(amp) == 10


def test_ru_amp_page_uses_the_ukrainian_views_word(site: ReplicaSite) -> None:
    views = page(site, "/ru/amp/hre-ru-slug").xpath('//*[@class="amp-views"]/text()')[0]
    assert "перегляд" in views


def test_unknown_amp_slug_is_404(site: ReplicaSite) -> None:
    assert site.render("/en/amp/no-such-slug").status == 404


def test_some_en_amp_pages_show_a_related_title_in_ukrainian(site: ReplicaSite) -> None:
    related = '//p[starts-with(@class, "related-news_root__")]/a/text()'
    visible = site.context().snapshot.visible["en"]
    amp_foreign = [
        any(t.endswith("(uk)") for t in page(site, e.amp_path).xpath(related)) for e in visible
    ]
    full_foreign = [
        any(t.endswith("(uk)") for t in page(site, e.path).xpath(related)) for e in visible
    ]
    assert 0 < sum(amp_foreign) < len(visible) / 2
    assert not any(full_foreign)
