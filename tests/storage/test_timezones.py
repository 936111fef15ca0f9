"""Times: stored as UTC on every dialect, returned aware in UTC; naive times are refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.storage import StorageError, Store

MakeInput = Callable[..., AnalysedArticle]
KYIV_NOON = datetime(2025, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))  # summer: UTC+3


@pytest.mark.parametrize(
    "published",
    [
        pytest.param(KYIV_NOON, id="kyiv-summer"),
        pytest.param(
            datetime(2025, 1, 5, 23, 30, tzinfo=timezone(timedelta(hours=-5))), id="utc-5"
        ),
        pytest.param(datetime(2025, 11, 19, 8, 18, 7, 123456, tzinfo=UTC), id="utc-micro"),
    ],
)
def test_times_come_back_as_the_same_instant_in_utc(
    store: Store, make_input: MakeInput, published: datetime
) -> None:
    [outcome] = store.upsert_articles([make_input("uk", "a", published_at=published)])
    view = store.article(outcome.article_id)
    assert view is not None
    assert view.published_at == published
    assert view.published_at is not None
    assert view.published_at.utcoffset() == timedelta(0)
    assert view.first_seen_at.tzinfo is not None
    [row] = store.articles_in_window(published - timedelta(seconds=1), published)
    assert row.published_at == published


def test_kyiv_summer_noon_is_nine_utc(store: Store, make_input: MakeInput) -> None:
    store.upsert_articles([make_input("uk", "a", published_at=KYIV_NOON)])
    [record] = store.iter_export()
    assert record["published_at"] == "2025-07-01T09:00:00Z"


def test_naive_times_are_refused(store: Store, make_input: MakeInput) -> None:
    naive = make_input("uk", "a", published_at=datetime(2025, 11, 19, 8, 18))
    with pytest.raises(StorageError, match="naive datetime"):
        store.upsert_articles([naive])
    assert store.counts()["articles"] == {}
