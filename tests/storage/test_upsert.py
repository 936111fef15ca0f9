"""Article upserts: new, updated (with a revision) and unchanged; idempotent re-runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.storage import Store, StoryGroup, StoryMember

MakeInput = Callable[..., AnalysedArticle]
LATER = datetime(2025, 11, 19, 12, 0, tzinfo=UTC)


def test_new_articles_are_inserted_once(store: Store, make_input: MakeInput) -> None:
    outcomes = store.upsert_articles([make_input("uk", "a"), make_input("en", "b")])
    assert [(o.edition, o.status) for o in outcomes] == [("uk", "new"), ("en", "new")]
    assert outcomes[0].url.endswith("/news/a")
    assert len({o.article_id for o in outcomes}) == 2
    assert store.counts()["articles"] == {"en": 1, "uk": 1}


def test_rerun_is_unchanged_and_touches_fetch_time(store: Store, make_input: MakeInput) -> None:
    first = store.upsert_articles([make_input("uk", "a")])
    again = store.upsert_articles([make_input("uk", "a", fetched_at=LATER)])
    assert again[0].status == "unchanged"
    assert again[0].article_id == first[0].article_id
    view = store.article(first[0].article_id)
    assert view is not None
    assert view.last_fetched_at == LATER
    assert view.last_changed_at < LATER
    assert view.revisions == ()
    assert store.counts()["revisions"] == 0


def test_changed_text_keeps_a_revision_and_the_story(store: Store, make_input: MakeInput) -> None:
    original = make_input("uk", "a", body="Перша версія.")
    [outcome] = store.upsert_articles([original])
    store.apply_story_groups([StoryGroup((StoryMember(outcome.article_id, "none", None),))])
    corrected = make_input("uk", "a", body="Виправлена версія.", fetched_at=LATER)
    [updated] = store.upsert_articles([corrected])
    assert updated.status == "updated"
    view = store.article(outcome.article_id)
    assert view is not None
    assert view.body.startswith("Виправлена версія.")
    assert view.content_hash == corrected.content_hash
    assert view.last_changed_at == LATER
    assert view.story_id is not None
    assert [(r.body.split("\n")[0], r.content_hash) for r in view.revisions] == [
        ("Перша версія.", original.content_hash)
    ]
    assert view.revisions[0].valid_until == LATER


def test_revisions_are_not_repeated(store: Store, make_input: MakeInput) -> None:
    bodies = ["v1", "v2", "v1", "v2"]
    for step, body in enumerate(bodies):
        fetched = LATER + timedelta(hours=step)
        store.upsert_articles([make_input("uk", "a", body=body, fetched_at=fetched)])
    view = store.article(make_input("uk", "a").article.url)
    assert view is not None
    assert sorted(r.body.split("\n")[0] for r in view.revisions) == ["v1", "v2"]


def test_an_older_fetch_never_overwrites_newer_text(store: Store, make_input: MakeInput) -> None:
    store.upsert_articles([make_input("uk", "a", body="new", fetched_at=LATER)])
    [late] = store.upsert_articles([make_input("uk", "a", body="old")])
    assert late.status == "unchanged"
    view = store.article(late.article_id)
    assert view is not None
    assert view.body.startswith("new")
    assert view.last_fetched_at == LATER


def test_repeated_input_in_one_batch(store: Store, make_input: MakeInput) -> None:
    outcomes = store.upsert_articles([make_input("ru", "x"), make_input("ru", "x")])
    assert [o.status for o in outcomes] == ["new", "unchanged"]
    assert outcomes[0].article_id == outcomes[1].article_id


def test_stored_fields_round_trip(store: Store, make_input: MakeInput) -> None:
    item = make_input("en", "b", lang_mismatch=True, language="uk", tags=("a", "b"))
    [outcome] = store.upsert_articles([item])
    view = store.article(outcome.url)
    assert view is not None
    page = item.article
    assert (view.edition, view.slug, view.url) == (page.edition, page.slug, page.url)
    assert (view.title, view.lead, view.body) == (page.title, page.lead, page.body)
    assert view.authors == page.authors
    assert view.tags == ("a", "b")
    assert (view.rubric, view.image_url) == (page.rubric, page.image_url)
    assert view.published_at == page.published_at
    assert (view.lang_detected, view.lang_mismatch, view.lang_method) == ("uk", True, "langdetect")
    assert view.word_count == item.word_count
    assert view.link_method == "none"
    assert view.extractor_version == "test-1"


def test_page_links_are_stored_without_self_links(store: Store, make_input: MakeInput) -> None:
    links = (("uk", "a", "hreflang"), ("en", "b", "hreflang"), ("ru", "c", "switcher"))
    [outcome] = store.upsert_articles([make_input("uk", "a", links=links)])
    store.upsert_articles([make_input("uk", "a", links=links)])  # stored once
    view = store.article(outcome.article_id)
    assert view is not None
    assert [(e, m) for e, _, m in view.links] == [("en", "hreflang"), ("ru", "switcher")]


def test_large_mixed_batch(store: Store, make_input: MakeInput) -> None:
    store.upsert_articles([make_input("en", f"s{n}") for n in range(10)])
    batch = [
        make_input("en", f"s{n}", body="changed" if n < 5 else "Перший абзац.", fetched_at=LATER)
        for n in range(70)
    ]
    statuses = [o.status for o in store.upsert_articles(batch)]
    assert statuses == ["updated"] * 5 + ["unchanged"] * 5 + ["new"] * 60
    assert store.counts()["articles"] == {"en": 70}
    assert store.counts()["revisions"] == 5


def test_same_url_under_another_slug_updates_that_row(store: Store, make_input: MakeInput) -> None:
    [first] = store.upsert_articles([make_input("uk", "a")])
    moved = make_input("uk", "a-renamed", body="Нова версія.", fetched_at=LATER)
    moved = replace(moved, article=replace(moved.article, url=first.url))
    [outcome] = store.upsert_articles([moved])
    assert (outcome.article_id, outcome.status, outcome.url) == (
        first.article_id,
        "updated",
        first.url,
    )
    assert store.counts()["articles"] == {"uk": 1}
