"""Overlapping writers: threads and processes upserting the same batch end with one row each."""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from unn_ingest.extractors.analysis import features_of
from unn_ingest.extractors.profile import Furniture
from unn_ingest.extractors.records import (
    AnalysedArticle,
    EditionLink,
    ExtractedArticle,
    LanguageTag,
)
from unn_ingest.storage import FetchRecord, Store

MakeInput = Callable[..., AnalysedArticle]
FETCHED = datetime(2025, 11, 19, 9, 0, tzinfo=UTC)
WRITERS = 3


def _batch(size: int = 40) -> list[AnalysedArticle]:
    """Build a batch in plain code so forked children rebuild it identically."""
    items = []
    for n in range(size):
        edition = ("uk", "en", "ru")[n % 3]
        url = f"http://127.0.0.1:8765/{edition}/news/story-{n}"
        links = (EditionLink("uk", f"http://127.0.0.1:8765/uk/news/story-{n + 1}", "hreflang"),)
        page = ExtractedArticle(
            url=url,
            edition=edition,
            slug=f"story-{n}",
            title=f"T{n}",
            lead="L",
            paragraphs=(f"Body {n}.",),
            links=links,
        )
        lang = LanguageTag(edition, 0.9, "langdetect")
        features = features_of(0, page, Furniture())
        items.append(
            AnalysedArticle(page, lang, False, f"hash-{n}", None, 2, FETCHED, features, frozenset())
        )
    return items


def _write(store: Store, barrier: Any, order: int) -> None:
    # Each writer sees the batch in another order: lock ordering must not depend on it.
    batch = _batch()
    batch = batch[order:] + batch[:order]
    barrier.wait(timeout=30)
    store.upsert_articles(batch)
    fetches = [
        FetchRecord(i.article.url, "article", 200, None, None, i.content_hash, None, FETCHED)
        for i in batch
    ]
    store.record_fetches(fetches)


def _write_shared(store: Store, barrier: Any, order: int, errors: Any) -> None:
    try:
        _write(store, barrier, order)
    except BaseException as error:  # reported to the parent, which asserts on it
        errors.put(f"{type(error).__name__}: {error}")


def _write_alone(url: str, barrier: Any, order: int, errors: Any) -> None:
    try:
        with Store.open(url) as store:
            _write(store, barrier, order)
    except BaseException as error:
        errors.put(f"{type(error).__name__}: {error}")


def _assert_one_row_each(url: str) -> None:
    with Store.open(url) as store:
        counts = store.counts()
        assert sum(counts["articles"].values()) == 40
        assert counts["revisions"] == 0
        urls = [i.article.url for i in _batch()]
        assert store.known_article_urls(urls) == set(urls)
        states = store.fetch_states(urls)
        assert {s.attempts for s in states.values()} == {0}


def test_threads_sharing_a_store_upsert_one_batch(db_url: str) -> None:
    barrier = threading.Barrier(WRITERS)
    errors: queue.Queue[str] = queue.Queue()
    with Store.open(db_url) as store:
        threads = [
            threading.Thread(target=_write_shared, args=(store, barrier, n * 7, errors))
            for n in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors.empty(), errors.get()
    _assert_one_row_each(db_url)


def test_processes_opening_and_upserting_a_new_database(db_url: str) -> None:
    # Fork: children rebuild everything from the URL and leave through os._exit.
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WRITERS)
    errors = context.Queue()
    workers = [
        context.Process(target=_write_alone, args=(db_url, barrier, n * 5, errors))
        for n in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * WRITERS
    assert errors.empty(), errors.get()
    _assert_one_row_each(db_url)


def _open_at_once(url: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    try:
        Store.open(url).close()
        results.put("ok")
    except Exception as error:  # reported to the parent, which asserts on it
        results.put(f"{type(error).__name__}: {error}")


@pytest.mark.slow
def test_many_processes_creating_one_sqlite_database_at_once(tmp_path: Any) -> None:
    # Switching a new database to WAL needs it to itself, and SQLite applies no busy timeout
    # to that: without waiting for it, about 1 round in 12 failed with "database is locked".
    context = multiprocessing.get_context("fork")
    failures = []
    for round_no in range(30):
        url = f"sqlite:///{tmp_path / f'db{round_no}.sqlite3'}"
        barrier, results = context.Barrier(6), context.Queue()
        children = [
            context.Process(target=_open_at_once, args=(url, barrier, results)) for _ in range(6)
        ]
        for child in children:
            child.start()
        outcomes = [results.get(timeout=60) for _ in children]
        for child in children:
            child.join(timeout=60)
        failures += [o for o in outcomes if o != "ok"]
    assert failures == []
