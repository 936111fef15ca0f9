"""Fixtures for the storage tests: a fresh database per test on SQLite and on PostgreSQL.

PostgreSQL tests use a uniquely named schema per test (dropped afterwards), so parallel runs
never collide. The server is UNN_INGEST_TEST_PG_URL or postgres@127.0.0.1:5432/test; when it
is unreachable the PostgreSQL cases FAIL with a message saying so: CI always has one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from unn_ingest.extractors.analysis import features_of
from unn_ingest.extractors.fingerprint import fact_keys
from unn_ingest.extractors.profile import Furniture
from unn_ingest.extractors.records import (
    AnalysedArticle,
    EditionLink,
    ExtractedArticle,
    LanguageTag,
)
from unn_ingest.storage import Store

ORIGIN = "http://127.0.0.1:8765"
PUBLISHED = datetime(2025, 11, 19, 8, 18, tzinfo=UTC)
FETCHED = datetime(2025, 11, 19, 9, 0, tzinfo=UTC)
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]

MakeInput = Callable[..., AnalysedArticle]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'records.sqlite3'}"
        return
    yield request.getfixturevalue("pg_schema_url")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """Yield an open, migrated store on an empty database."""
    with Store.open(db_url) as opened:
        yield opened


def url_of(edition: str, slug: str) -> str:
    """Return the replica-style article URL of an edition's slug."""
    prefix = "" if edition == "uk" else f"/{edition}"
    return f"{ORIGIN}{prefix}/news/{slug}"


def build_input(
    edition: str,
    slug: str,
    *,
    body: str = "Перший абзац.",
    title: str | None = None,
    links: tuple[tuple[str, str, str], ...] = (),
    published_at: datetime | None = PUBLISHED,
    fetched_at: datetime = FETCHED,
    **extra: Any,
) -> AnalysedArticle:
    """Build an analysed article; links are (edition, slug, method) of the pages pointed at."""
    page = ExtractedArticle(
        url=url_of(edition, slug),
        edition=edition,
        slug=slug,
        title=title or f"Title of {slug}",
        lead=f"Lead of {slug}",
        paragraphs=(body, "Деталі", "Другий абзац."),
        authors=extra.pop("authors", ("Author Name",)),
        rubric=extra.pop("rubric", "Politics"),
        tags=extra.pop("tags", ("war", "energy")),
        image_url=extra.pop("image_url", f"{ORIGIN}/img/2025/11/19/1763540280-1234-large.webp"),
        published_at=published_at,
        links=tuple(EditionLink(e, url_of(e, s), m) for e, s, m in links),
        extractor_version="test-1",
        modified_at=extra.pop("modified_at", None),
        rubric_key=extra.pop("rubric_key", None),
        image=extra.pop("image", None),
        images=extra.pop("images", ()),
        sections=extra.pop("sections", ()),
        profile_version=extra.pop("profile_version", ""),
    )
    digest = hashlib.sha256(f"{page.title}\n{page.lead}\n{page.body}".encode()).hexdigest()
    return AnalysedArticle(
        article=page,
        lang=LanguageTag(extra.pop("language", edition), 0.98, "langdetect"),
        lang_mismatch=extra.pop("lang_mismatch", False),
        content_hash=digest,
        minhash=extra.pop("minhash", b"\x01\x02\x03"),
        word_count=len(page.body.split()),
        fetched_at=fetched_at,
        features=features_of(0, page, Furniture()),
        facts=fact_keys(page.title, page.lead, page.paragraphs),
    )


@pytest.fixture
def make_input() -> MakeInput:
    """Return the analysed-article builder (keyword options: body, title, links, times, ...)."""
    return build_input


@pytest.fixture
def article_url() -> Callable[[str, str], str]:
    """Return the URL builder used by `make_input`."""
    return url_of
