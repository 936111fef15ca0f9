"""Field completeness: per edition, the share of stored articles with each field."""

from __future__ import annotations

from datetime import timedelta

from tests.storage.conftest import FETCHED, MakeInput
from unn_ingest.extractors.records import AnalysedArticle, ImageRef, Section
from unn_ingest.storage import COMPLETENESS_FIELDS, Store


def full(make_input: MakeInput, edition: str, slug: str, **extra: object) -> AnalysedArticle:
    return make_input(
        edition,
        slug,
        rubric_key="/politics",
        image=ImageRef("https://x/img/a.webp", "Caption", "Credit"),
        images=(ImageRef("https://x/img/b.webp"),),
        sections=(Section("", ("Перший абзац.",)),),
        **extra,
    )


def test_shares_per_edition_count_what_each_article_has(
    store: Store, make_input: MakeInput
) -> None:
    store.upsert_articles(
        [
            full(make_input, "uk", "a"),
            make_input("uk", "b", authors=(), rubric=None, tags=()),
            full(make_input, "en", "c"),
        ]
    )
    found = {row.edition: row for row in store.field_completeness()}
    assert (found["uk"].articles, found["en"].articles) == (2, 1)
    uk = found["uk"].shares()
    assert set(uk) == set(COMPLETENESS_FIELDS)
    assert uk["authors"] == uk["rubric"] == uk["tags"] == uk["rubric_key"] == 0.5
    assert uk["images"] == uk["sections"] == uk["image_caption"] == 0.5
    assert uk["title"] == uk["body"] == uk["image"] == 1.0
    assert uk["modified_at"] == 0.0
    assert found["en"].shares()["authors"] == 1.0


def test_since_and_ids_choose_the_articles_measured(store: Store, make_input: MakeInput) -> None:
    later = FETCHED + timedelta(hours=1)
    outcomes = store.upsert_articles(
        [make_input("uk", "old", authors=()), make_input("uk", "new", fetched_at=later)]
    )
    (recent,) = store.field_completeness(since=later)
    assert (recent.articles, recent.shares()["authors"]) == (1, 1.0)
    (chosen,) = store.field_completeness(article_ids=[outcomes[0].article_id])
    assert (chosen.articles, chosen.shares()["authors"]) == (1, 0.0)
    assert store.field_completeness(article_ids=[]) == []
