"""Layout b: another markup of the same truth, as the site notes allow it to be."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from tests.replica.conftest import SmallCatalogue
from tests.replica.helpers import by_class, one, page
from unn_ingest.config.profiles import load_profile
from unn_ingest.replica.cli import replica_app
from unn_ingest.replica.site import ReplicaSite
from unn_ingest.replica.testing import make_site

HRE = {"uk": "/news/hre-uk-slug", "en": "/en/news/hre-en-slug", "ru": "/ru/news/hre-ru-slug"}
HOM_EN = "/en/news/hom-en-slug"
_RELATED = re.compile(r"\d{2}\.\d{2}\.\d{2}, \d{2}:\d{2} • \d+ views?$")


@pytest.fixture
def site_b(small_catalogue: SmallCatalogue) -> ReplicaSite:
    return ReplicaSite(small_catalogue, layout="b")


def test_no_class_of_the_shipped_profile_appears(site_b: ReplicaSite) -> None:
    text = site_b.render(HRE["en"]).text()
    for prefix in load_profile("unn").css.values():
        assert f"{prefix}__" not in text, prefix


def test_no_article_nav_aside_or_footer_element(site_b: ReplicaSite) -> None:
    tree = page(site_b, HRE["uk"])
    assert [e.tag for e in tree.iter("article", "nav", "aside", "footer")] == []


def test_text_order_follows_the_site_notes(site_b: ReplicaSite) -> None:
    # Currency box, switcher, widget, rubric menu, footer lines, then the article.
    text = site_b.render(HRE["en"]).text()
    marks = ["$", ">ENG<", "story-tile_card", "/en/politics", "R40-05926", "<h1", "Popular news"]
    positions = [text.index(m) for m in marks]
    assert positions == sorted(positions)


def test_switcher_is_a_list_of_labels_without_hreflang(site_b: ReplicaSite) -> None:
    anchors = one(page(site_b, HRE["en"]), "locale-menu_items").xpath(".//a")
    assert [a.text for a in anchors] == ["УКР", "ENG", "РУС"]
    assert [a.get("href") for a in anchors] == [HRE["uk"], HRE["en"], HRE["ru"]]
    assert all(a.get("hreflang") is None for a in anchors)


def test_home_variant_switcher_points_at_home_pages(site_b: ReplicaSite) -> None:
    anchors = one(page(site_b, HOM_EN), "locale-menu_items").xpath(".//a")
    assert [a.get("href") for a in anchors] == ["/", "/en", "/ru"]


def test_inline_related_links_carry_no_class(site_b: ReplicaSite) -> None:
    body = one(page(site_b, HRE["en"]), "post-body_content")
    related = [p for p in body.xpath("./p") if p.xpath("./a")]
    assert related, "a ten-block body has inline related links"
    for paragraph in related:
        assert paragraph.get("class") is None
        assert _RELATED.search(" ".join(paragraph.text_content().split()))


def test_subheads_are_h3_and_the_author_follows_the_body(site_b: ReplicaSite) -> None:
    tree = page(site_b, HRE["en"])
    body = one(tree, "post-body_content")
    assert body.xpath("./h3/text()")[0] == "Details"
    byline = body.getnext()
    assert byline is not None and by_class(byline, "post-footer_byline")
    assert byline.xpath("./a/text()") == ["Author hre"]


def test_truth_is_the_same_in_both_layouts(small_catalogue: SmallCatalogue) -> None:
    a = ReplicaSite(small_catalogue).truth()
    b = ReplicaSite(small_catalogue, layout="b").truth()
    assert a == b


def test_shared_pages_get_other_class_hashes() -> None:
    listing_a = make_site(generated=5).render("/news").text()
    listing_b = make_site(generated=5, layout="b").render("/news").text()
    hash_a = re.search(r"news-list_item__([\w-]+)", listing_a)
    hash_b = re.search(r"news-list_item__([\w-]+)", listing_b)
    assert hash_a and hash_b and hash_a.group(1) != hash_b.group(1)


def test_unknown_layout_is_refused(small_catalogue: SmallCatalogue) -> None:
    with pytest.raises(ValueError, match="unknown layout 'c'"):
        ReplicaSite(small_catalogue, layout="c")
    result = CliRunner().invoke(replica_app, ["serve", "--layout", "c"])
    assert result.exit_code == 2
    assert "error: unknown layout 'c'" in result.output
