"""Opening a store: folders, migrations on open, and one-line errors for bad or dead URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from unn_ingest.storage import (
    StorageConfigError,
    StorageError,
    StorageUnavailableError,
    Store,
)


def test_open_creates_the_sqlite_folder_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "records.sqlite3"
    with Store.open(f"sqlite:///{path}") as store:
        assert store.counts() == {
            "stories": 0, "articles": {}, "revisions": 0, "duplicates": 0, "fetch_errors": 0
        }  # fmt: skip
    assert path.is_file()


def test_reopening_is_harmless(db_url: str) -> None:
    for _ in range(3):
        with Store.open(db_url) as store:
            assert store.counts()["stories"] == 0


def test_in_memory_sqlite_works() -> None:
    with Store.open("sqlite://") as store:
        assert store.known_article_urls(["http://x/news/a"]) == set()


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_plain_postgresql_schemes_use_psycopg(db_url: str) -> None:
    for scheme in ("postgresql://", "postgres://"):
        with Store.open(db_url.replace("postgresql+psycopg://", scheme)) as store:
            assert store.url.drivername == "postgresql+psycopg"
            assert store.counts()["stories"] == 0


@pytest.mark.parametrize(
    ("url", "error", "words"),
    [
        pytest.param("not a url", StorageConfigError, "invalid database URL", id="garbage"),
        pytest.param("mysql://u@h/db", StorageConfigError, "unsupported database", id="mysql"),
        pytest.param(
            "postgresql+nodriver://u@h/db", StorageConfigError, "cannot use", id="no-driver"
        ),
        pytest.param(
            "postgresql+psycopg://postgres@127.0.0.1:1/test",
            StorageUnavailableError,
            "cannot connect to PostgreSQL at 127.0.0.1:1/test",
            id="postgres-down",
        ),
        pytest.param(
            "sqlite:////proc/unn-ingest/records.sqlite3",
            StorageUnavailableError,
            "cannot create folder /proc/unn-ingest",
            id="sqlite-folder",
        ),
    ],
)
def test_bad_urls_give_one_line_errors(url: str, error: type[StorageError], words: str) -> None:
    with pytest.raises(error) as raised:
        Store.open(url)
    message = str(raised.value)
    assert words in message
    assert "\n" not in message
    assert len(message) < 400


def test_password_is_not_echoed() -> None:
    with pytest.raises(StorageUnavailableError) as raised:
        Store.open("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/test")
    assert "s3cret" not in str(raised.value)


def test_a_file_that_is_no_database(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    path.write_text("not a database, just text\n" * 100)
    with pytest.raises(StorageError) as raised:
        Store.open(f"sqlite:///{path}")
    assert "file is not a database" in str(raised.value)
    assert "\n" not in str(raised.value)
