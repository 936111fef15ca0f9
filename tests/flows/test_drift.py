"""The run's drift section: one warning line and a markdown table naming selectors and URLs."""

from __future__ import annotations

from unn_ingest.extractors.drift import DriftTally
from unn_ingest.flows.drift import drift_markdown, drift_warning

CSS = {"title": "t_x", "lead": "l_x", "body": "single-news-card_body", "switcher": "s_x"}
OK = (("title", "profile"), ("lead", "profile"), ("body", "profile"), ("switcher", "profile"))


def summary(body_source: str) -> dict[str, object]:
    tally = DriftTally()
    tally.observe("https://unn.ua/news/a", OK)
    moved = (("title", "profile"), ("lead", "profile"), ("body", body_source))
    tally.observe("https://unn.ua/news/b", moved)
    return tally.summary(CSS, 0.9)


def test_warning_names_the_failed_selector_and_the_urls() -> None:
    warning = drift_warning(summary("trafilatura"))
    assert warning is not None
    assert "below 90% of 2 pages" in warning
    assert "body selector single-news-card_body__* found 50%" in warning
    assert "https://unn.ua/news/b" in warning and "news/a" not in warning
    assert "unn-ingest probe" in warning


def test_no_warning_when_the_profile_explains_every_page() -> None:
    assert drift_warning(summary("profile")) is None


def test_markdown_has_one_row_per_part() -> None:
    table = drift_markdown(summary("structure"))
    assert "drifted: body" in table
    assert "| body | `single-news-card_body__*` | 1 | 1 | 50% | profile 1, structure 1 |" in table
    assert "| switcher | `s_x__*` | 1 | 0 | 100% |" in table


def test_a_field_that_stops_being_found_raises_the_alarm_naming_the_version() -> None:
    tally = DriftTally()
    for i in range(30):
        present = ("title", "lead", "body") + (("authors",) if i < 10 else ())
        tally.observe(f"https://unn.ua/news/p{i}", OK, present, "2026-03-redesign")
    found = tally.summary(CSS, 0.9, {"authors": 0.9})
    warning = drift_warning(found)
    assert warning is not None
    assert "profile version 2026-03-redesign" in warning
    assert "authors found on 33% (floor 90%; missing on e.g. https://unn.ua/news/p10" in warning
    table = drift_markdown(found)
    assert "| authors | 10 | 33% | 90% |" in table
    assert "2026-03-redesign (30 pages)" in table
