"""Translation links per story variant: hreflang alternates and where the switcher points."""

from __future__ import annotations

import pytest

from tests.replica.helpers import one, page
from unn_ingest.replica.site import ReplicaSite


def switcher(site: ReplicaSite, path: str) -> dict[str, str]:
    """Return the switcher's anchors as {text: href}."""
    anchors = one(page(site, path), "lang-switcher_root").xpath(".//a")
    return {a.text: a.get("href") for a in anchors}


def hreflang(site: ReplicaSite, path: str) -> dict[str, str]:
    """Return the page's hreflang alternates as {hreflang: href}."""
    links = page(site, path).xpath('//link[@rel="alternate"][@hreflang]')
    return {link.get("hreflang"): link.get("href") for link in links}


def test_hreflang_variant_has_alternates_for_every_edition_plus_x_default(
    site: ReplicaSite,
) -> None:
    o = site.origin
    assert hreflang(site, "/ru/news/hre-ru-slug") == {
        "uk": f"{o}/news/hre-uk-slug",
        "en": f"{o}/en/news/hre-en-slug",
        "ru": f"{o}/ru/news/hre-ru-slug",
        "x-default": f"{o}/news/hre-uk-slug",
    }


def test_hreflang_variant_switcher_points_at_translations(site: ReplicaSite) -> None:
    assert switcher(site, "/news/hre-uk-slug") == {
        "uk": "/news/hre-uk-slug",
        "en": "/en/news/hre-en-slug",
        "ru": "/ru/news/hre-ru-slug",
    }


@pytest.mark.parametrize(
    "path", ["/news/swi-uk-slug", "/news/hom-uk-slug"], ids=["switcher", "home"]
)
def test_other_variants_have_no_hreflang(site: ReplicaSite, path: str) -> None:
    assert hreflang(site, path) == {}


def test_switcher_variant_points_home_for_missing_or_unpublished_editions(
    site: ReplicaSite,
) -> None:
    # The en edition appears 90 minutes after the original (at START + 40 min).
    assert switcher(site, "/news/swi-uk-slug") == {
        "uk": "/news/swi-uk-slug",
        "en": "/en",
        "ru": "/ru",
    }
    site.clock.advance(41 * 60)
    assert switcher(site, "/news/swi-uk-slug")["en"] == "/en/news/swi-en-slug"


def test_home_variant_switcher_points_at_edition_home_pages(site: ReplicaSite) -> None:
    assert switcher(site, "/en/news/hom-en-slug") == {"uk": "/", "en": "/en", "ru": "/ru"}


def test_switcher_marks_the_current_edition_active(site: ReplicaSite) -> None:
    anchors = one(page(site, "/en/news/hre-en-slug"), "lang-switcher_root").xpath(".//a")
    active = [a.text for a in anchors if "lang-switcher_active__" in a.get("class")]
    assert active == ["en"]
