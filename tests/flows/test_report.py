"""The run report: counters per edition, and "linked" counted once per article of the run."""

from __future__ import annotations

from unn_ingest.flows.report import Failure, RunReport


def test_an_article_counts_as_linked_once_and_only_if_this_run_stored_it() -> None:
    report = RunReport()
    report.stored(1)
    report.stored(2)
    assert report.linked("uk", 1) is True
    assert report.linked("uk", 1) is False  # linked again by a later batch: still one
    assert report.linked("en", 3) is False  # an older article this run did not store
    assert report.linked("en", 2) is True
    assert [(r["edition"], r["linked"]) for r in report.table()] == [
        ("en", 1),
        ("uk", 1),
        ("total", 2),
    ]


def test_a_failure_is_listed_and_counted_against_its_edition() -> None:
    report = RunReport()
    report.fail(Failure("https://unn.ua/en/news/x", "fetch", "HTTP 500", "en"))
    assert report.total("failed") == 1
    assert "HTTP 500" in report.failures_markdown()
