"""Overlapping corrections: writers updating the same articles at once lose no update.

Each writer is its own process with its own connection, as two runs on two workers are. The
newest fetch's text must win whatever order the commits land in, and every text that was ever
the current one must survive as a revision.
"""

from __future__ import annotations

import multiprocessing
from datetime import timedelta
from typing import Any

from unn_ingest.storage import Store

from .conftest import FETCHED, build_input

WRITERS = 4
SLUGS = [f"story-{n}" for n in range(12)]


def _version(slug: str, n: int) -> Any:
    return build_input(
        "uk", slug, body=f"Version {n} of {slug}.", fetched_at=FETCHED + timedelta(minutes=n)
    )


def _correct(url: str, barrier: Any, n: int, errors: Any) -> None:
    try:
        with Store.open(url) as store:
            batch = [_version(slug, n) for slug in (SLUGS if n % 2 else SLUGS[::-1])]
            barrier.wait(timeout=30)
            store.upsert_articles(batch)
    except BaseException as error:  # reported to the parent, which asserts on it
        errors.put(f"{type(error).__name__}: {error}")


def test_concurrent_corrections_keep_the_newest_text_and_every_earlier_one(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.upsert_articles([_version(slug, 0) for slug in SLUGS])
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WRITERS)
    errors = context.Queue()
    writers = [
        context.Process(target=_correct, args=(db_url, barrier, n, errors))
        for n in range(1, WRITERS + 1)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    assert [w.exitcode for w in writers] == [0] * WRITERS
    assert errors.empty(), errors.get()
    with Store.open(db_url) as store:
        for slug in SLUGS:
            view = store.article(_version(slug, 0).article.url)
            assert view is not None
            assert view.body.startswith(f"Version {WRITERS} of {slug}.")  # the newest fetch
            earlier = [r.body.split("\n")[0] for r in view.revisions]
            assert f"Version 0 of {slug}." in earlier  # the first text is never lost
            assert len(earlier) == len(set(earlier)) and len(earlier) <= WRITERS
