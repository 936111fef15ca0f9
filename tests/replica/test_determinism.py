"""Determinism: the same seed gives byte-identical pages; another seed another "build"."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tests.replica.conftest import SmallCatalogue
from unn_ingest.replica.render_text import class_hash
from unn_ingest.replica.site import ReplicaSite

PATHS = ["/news/hre-uk-slug", "/ru/amp/hre-ru-slug", "/rss/news_en.xml", "/en/news?page=2"]


@pytest.mark.parametrize("path", PATHS)
def test_same_seed_renders_identical_bytes(small_catalogue: SmallCatalogue, path: str) -> None:
    path, _, query = path.partition("?page=")
    pages = [
        ReplicaSite(small_catalogue).render(path, {"page": query} if query else None).body
        for _ in range(2)
    ]
    assert pages[0] == pages[1]


def test_other_seed_changes_every_class_hash(small_catalogue: SmallCatalogue) -> None:
    def classes(seed: int) -> set[str]:
        site = ReplicaSite(replace(small_catalogue, seed=seed))
        return set(
            re.findall(r'class="([\w-]+__[\w-]{5})', site.render("/news/hre-uk-slug").text())
        )

    one, two = classes(1), classes(2)
    assert len(one) > 10
    assert {c.rsplit("__", 1)[0] for c in one} == {c.rsplit("__", 1)[0] for c in two}
    assert one.isdisjoint(two)


def test_class_hash_is_five_characters_and_stable() -> None:
    assert class_hash(1, "single-news-card_body") == class_hash(1, "single-news-card_body")
    assert re.fullmatch(r"[A-Za-z0-9_-]{5}", class_hash(7, "footer_root"))
    assert class_hash(1, "footer_root") != class_hash(1, "footer_line")
