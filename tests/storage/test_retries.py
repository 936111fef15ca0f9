"""Write transactions are retried when PostgreSQL reports a deadlock or serialisation failure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.storage import StorageError, Store, UpsertOutcome, writes

MakeInput = Callable[..., AnalysedArticle]
REAL_UPSERT = writes.upsert_articles


class FakeDriverError(Exception):
    """Stands in for a psycopg error carrying an SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"simulated failure {sqlstate}\nDETAIL: second line")
        self.sqlstate = sqlstate


def _failing(times: int, sqlstate: str, calls: list[int]) -> Any:
    def upsert(conn: Connection, inputs: Sequence[AnalysedArticle]) -> list[UpsertOutcome]:
        calls.append(1)
        outcomes = REAL_UPSERT(conn, inputs)  # written, then rolled back by the failure
        if len(calls) <= times:
            raise OperationalError("UPDATE article", {}, FakeDriverError(sqlstate))
        return outcomes

    return upsert


def test_deadlock_is_retried(
    store: Store, make_input: MakeInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(writes, "upsert_articles", _failing(2, "40P01", calls))
    [outcome] = store.upsert_articles([make_input("uk", "a")])
    assert outcome.status == "new"  # the failed attempts left nothing behind
    assert len(calls) == 3
    assert store.counts()["articles"] == {"uk": 1}


@pytest.mark.parametrize(
    ("times", "sqlstate", "calls_made"),
    [
        pytest.param(3, "40001", 3, id="gives-up-after-three"),
        pytest.param(1, "23505", 1, id="other-errors-not-retried"),
    ],
)
def test_failures_surface_as_one_line(
    store: Store,
    make_input: MakeInput,
    monkeypatch: pytest.MonkeyPatch,
    times: int,
    sqlstate: str,
    calls_made: int,
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(writes, "upsert_articles", _failing(times, sqlstate, calls))
    with pytest.raises(StorageError) as raised:
        store.upsert_articles([make_input("uk", "a")])
    assert str(raised.value) == f"cannot store articles: simulated failure {sqlstate}"
    assert len(calls) == calls_made
    assert store.counts()["articles"] == {}
