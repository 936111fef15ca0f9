"""Removed and moved articles in the store: marks, moves, and a move onto a stored URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.storage import FetchRecord, Move, Store

MakeInput = Callable[..., AnalysedArticle]
T1 = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)


def test_a_removal_keeps_its_first_time_and_a_page_served_again_clears_it(
    store: Store, make_input: MakeInput
) -> None:
    [first] = store.upsert_articles([make_input("uk", "a")])
    store.mark_removed([(first.url, 404)], T1)
    store.mark_removed([(first.url, 410)], T1 + timedelta(hours=1))  # seen missing again
    view = store.article(first.url)
    assert view is not None and view.removed_at == T1 and view.removed_status == 410
    assert [r.url for r in store.removed_since(T1)] == [first.url]
    assert store.removed_since(T1 + timedelta(minutes=1)) == []
    store.upsert_articles([make_input("uk", "a", fetched_at=T1 + timedelta(hours=2))])
    again = store.article(first.url)
    assert again is not None and again.removed_at is None


def test_a_move_keeps_the_id_and_closes_the_old_url(
    store: Store, make_input: MakeInput, article_url: Callable[[str, str], str]
) -> None:
    [row] = store.upsert_articles([make_input("en", "old-slug")])
    store.record_fetches([FetchRecord(row.url, "article", 200, None, None, None, None, T1)])
    new_url = article_url("en", "new-slug")
    assert store.move_articles([Move(row.url, new_url, "new-slug")], T1) == [row.article_id]
    view = store.article(new_url)
    assert view is not None and view.id == row.article_id and view.slug == "new-slug"
    assert view.moved_from == row.url
    assert store.article(row.url) is None
    state = store.fetch_states([row.url])[row.url]
    assert state.next_attempt_at is None and state.last_error is None
    assert row.url not in store.due_urls("article", T1 + timedelta(days=1))


def test_a_move_onto_an_article_already_stored_keeps_both(
    store: Store, make_input: MakeInput
) -> None:
    old, new = store.upsert_articles([make_input("ru", "old"), make_input("ru", "new")])
    store.move_articles([Move(old.url, new.url, "new")], T1)
    before, after = store.article(old.url), store.article(new.url)
    assert before is not None and before.removed_status == 301
    assert after is not None and after.moved_from == old.url
