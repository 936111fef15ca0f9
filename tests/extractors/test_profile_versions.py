"""Profile versions: after a redesign the new class names read new pages, the old ones the past."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from unn_ingest.config.profiles import PROFILE_DIR, ProfileError, load_profile
from unn_ingest.extractors.analysis import analyse_page
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import AnalysedArticle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extractors" / "fields"
URL = "https://unn.ua/news/uriad-ukhvalyv-novyi-biudzhet"
REDESIGN = """
[[versions]]
name = "2026-03-redesign"
valid_from = 2026-03-01
[versions.css]
title = "headline-q_text"
body = "text-q_content"
"""


def versioned(folder: Path, extra: str = REDESIGN) -> Path:
    text = (PROFILE_DIR / "unn.toml").read_text(encoding="utf-8")
    path = folder / "unn-versions.toml"
    path.write_text(text.replace('name = "unn"', 'name = "unn"\nversion = "2025"') + extra)
    return path


def fetched(at: datetime) -> FetchedPage:
    body = (FIXTURES / "unknown_classes.html").read_bytes()
    return FetchedPage(URL, URL, 200, {}, body, at)


def test_without_versions_the_profile_is_its_one_version() -> None:
    profile = load_profile("unn")
    assert profile.versions == () and profile.version == "default"
    assert profile.at(datetime(2030, 1, 1, tzinfo=UTC)) is profile


def test_each_day_gets_the_version_valid_then(tmp_path: Path) -> None:
    profile = load_profile(str(versioned(tmp_path)))
    assert [v.name for v in profile.versions] == ["2025", "2026-03-redesign"]
    before = profile.at(datetime(2026, 2, 28, 21, 59, tzinfo=UTC))  # 23:59 in Kyiv
    after = profile.at(datetime(2026, 2, 28, 22, 0, tzinfo=UTC))  # midnight in Kyiv
    assert (before.version, before.css["title"]) == ("2025", "single-news-card_newsTitle")
    assert (after.version, after.css["title"]) == ("2026-03-redesign", "headline-q_text")
    assert after.css["footer"] == before.css["footer"]  # what the version leaves is kept
    assert after.at(datetime(2025, 1, 1, tzinfo=UTC)).version == "2025"


def test_an_archived_page_is_read_with_the_version_of_its_fetch_day(tmp_path: Path) -> None:
    profile = load_profile(str(versioned(tmp_path)))
    old = analyse_page(fetched(datetime(2026, 1, 10, tzinfo=UTC)), profile)
    new = analyse_page(fetched(datetime(2026, 3, 10, tzinfo=UTC)), profile)
    assert isinstance(old, AnalysedArticle) and isinstance(new, AnalysedArticle)
    assert old.article.profile_version == "2025"
    assert new.article.profile_version == "2026-03-redesign"
    # The redesign's class names explain the new page; the old ones needed the structure.
    assert ("body", "profile") in new.article.sources
    assert ("body", "structure") in old.article.sources
    assert old.article.paragraphs == new.article.paragraphs


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[[versions]]\nname = "x"\nvalid_from = "2026-03-01"\n',
            r"versions\[0\]\.valid_from=.*allowed: a TOML date",
        ),
        ('[[versions]]\nname = "2025"\nvalid_from = 2026-03-01\n', "distinct names"),
        ("[[versions]]\nvalid_from = 2026-03-01\n", r"versions\[0\]\.name is missing"),
    ],
    ids=["date-as-text", "same-name", "no-name"],
)
def test_a_malformed_version_is_a_profile_error(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        load_profile(str(versioned(tmp_path, extra)))
