"""The parts of run monitoring that need no server: names, keys, redaction, state, trend, logs."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from unn_ingest.config import load_profile
from unn_ingest.flows.artifacts import RunScope, merge_trend, redact_url
from unn_ingest.flows.errors import RunStopped
from unn_ingest.flows.fetch.http import FetchPolicy, FetchRequest
from unn_ingest.flows.fetch.workers import fetch_and_analyse
from unn_ingest.flows.ingest import date_span
from unn_ingest.flows.orchestrator import describe_runtime_error
from unn_ingest.flows.outcome import (
    RunFailedError,
    cancel_requested,
    final_state,
    quiet_stopped_report,
)
from unn_ingest.flows.report import Failure, RunReport, UnreadPage
from unn_ingest.flows.run_logs import replay_logs
from unn_ingest.replica.testing import running_replica


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2025, 11, 1), date(2025, 11, 7), "2025-11-01..07"),
        (date(2025, 11, 28), date(2025, 12, 2), "2025-11-28..12-02"),
        (date(2025, 12, 30), date(2026, 1, 2), "2025-12-30..2026-01-02"),
        (date(2025, 11, 3), date(2025, 11, 3), "2025-11-03"),
    ],
    ids=["same-month", "next-month", "next-year", "one-day"],
)
def test_a_date_range_is_named_compactly(start: date, end: date, label: str) -> None:
    assert date_span(start, end) == label


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://ingest:pa55@db.local:5432/unn",
            "postgresql+psycopg://ingest:REDACTED@db.local:5432/unn",
        ),
        ("sqlite:////data/unn-ingest.sqlite3", "sqlite:////data/unn-ingest.sqlite3"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
    ],
    ids=["password", "sqlite", "no-password"],
)
def test_a_database_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_artifact_keys_differ_by_site_and_database_and_stay_valid() -> None:
    a = RunScope("backfill", "https://unn.ua", "sqlite:////a.sqlite3", ("uk",))
    b = RunScope("backfill", "http://127.0.0.1:8123", "sqlite:////a.sqlite3", ("uk",))
    c = RunScope("backfill", "https://unn.ua", "postgresql://u:REDACTED@h/db", ("uk",))
    keys = {s.key("summary") for s in (a, b, c)}
    assert len(keys) == 3
    assert all(k.startswith("backfill-summary-") and k == k.lower() for k in keys)
    assert all(set(k) <= set("abcdefghijklmnopqrstuvwxyz0123456789-") for k in keys)


def test_nothing_discovered_fails_the_run_with_what_to_do() -> None:
    report = RunReport()
    report.fail(Failure("http://x/rss", "feed", "connection failed: refused", "uk"))
    state = final_state(report, "http://x")
    assert state.is_failed() and isinstance(state.data, RunFailedError)
    assert "nothing could be discovered at http://x" in str(state.message)
    assert "connection failed: refused" in str(state.message)


def test_failed_pages_complete_the_run_with_their_count() -> None:
    report = RunReport()
    report.add("uk", "discovered", 10)
    report.add("uk", "fetched", 8)
    for n in range(2):
        report.fail(Failure(f"http://x/news/{n}", "fetch", "HTTP 503", "uk"))
    state = final_state(report, "http://x")
    assert state.is_completed() and state.message == "completed: 0 new, 0 updated, 2 failed"
    assert report.failure_share() == pytest.approx(0.2)


def test_a_listing_left_unread_marks_the_run_incomplete() -> None:
    report = RunReport()
    report.add("uk", "discovered", 280)
    page = "http://x/news?page=5"
    report.unread_pages.append(UnreadPage("uk", page, 5, "cut short", None, None))
    report.fail(Failure(page, "listing", "cut short", "uk"))
    state = final_state(report, "http://x")
    assert state.is_completed()
    assert state.message == (
        "completed: 0 new, 0 updated, 1 failed; incomplete: 1 listing pages could not be read"
    )
    assert final_state(RunReport(), "http://x").message == "completed: 0 new, 0 updated, 0 failed"


def test_a_stopped_run_is_cancelled_saying_what_it_stored() -> None:
    report = RunReport()
    report.add("uk", "discovered", 10)
    report.add("uk", "new", 4)
    report.fail(Failure("http://x/news/9", "stopped", "stopped before it was fetched", "uk"))
    state = final_state(report, "http://x", stopped=True)
    assert state.is_cancelled() and isinstance(state.data, RunStopped)
    assert state.message == (
        "stopped before the end: 4 new and 0 updated articles stored, 1 page not fetched; "
        "run it again to fetch the rest"
    )


def test_only_a_deployment_run_can_be_cancelled_in_prefect() -> None:
    assert cancel_requested() is False  # no flow run here; the CLI's runs stop with Ctrl-C


def test_asyncio_keeps_quiet_about_a_cancelled_runs_end_only() -> None:
    loop, seen = asyncio.new_event_loop(), []

    def record(_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        seen.append(context["message"])

    try:
        loop.set_exception_handler(record)
        quiet_stopped_report(loop)
        loop.call_exception_handler({"message": "cancelled", "exception": RunStopped("x")})
        loop.call_exception_handler({"message": "a bug", "exception": ValueError("y")})
    finally:
        loop.close()
    assert seen == ["a bug"]


def test_a_failure_is_logged_as_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    report = RunReport()
    with caplog.at_level(logging.WARNING, logger="unn_ingest"):
        report.fail(Failure("http://x/news/1", "extract", "no article text", "en"))
    assert [r.getMessage() for r in caplog.records] == [
        "extract failed (en): no article text — http://x/news/1"
    ]


def test_the_trend_is_keyed_by_publication_day_and_keeps_older_days() -> None:
    report = RunReport()
    published = datetime(2025, 11, 18, 9, 0, tzinfo=UTC)
    for day, minutes in (
        (date(2025, 11, 18), 12),
        (date(2025, 11, 18), 30),
        (date(2025, 11, 17), 5),
    ):
        report.freshness.arrived("uk", day, published, published + timedelta(minutes=minutes))
    report.freshness.set_missing([(date(2025, 11, 18), "uk")])
    report.freshness.day_lags[(date(2025, 11, 18), "uk")] = {"p50": 12.0, "p95": 30.0, "max": 30.0}
    old = [{"day": "2025-11-16", "edition": "uk", "runs": 2, "new": 5, "missing": 0}]
    once = merge_trend(old, report)
    twice = merge_trend(once, report)  # one backfill over three days: three rows, not one
    assert [(r["day"], r["runs"], r["new"], r["missing"]) for r in twice] == [
        ("2025-11-18", 2, 4, 1),
        ("2025-11-17", 2, 2, 0),
        ("2025-11-16", 2, 5, 0),
    ]
    assert twice[0]["fresh p95 min"] == 30.0 and twice[1]["fresh p50 min"] is None
    assert twice[2] == old[0]


def test_lines_a_worker_logs_travel_back_and_are_logged_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with running_replica(seed=3, generated=5) as replica:
        profile = load_profile(origin=replica.base_url)
        home_page = FetchRequest(replica.base_url + "/")  # fetched fine, but not an article
        policy = FetchPolicy.for_profile(profile, rps=0, concurrency=2)
        work = fetch_and_analyse([home_page], policy, profile)
    assert [(name, level) for name, level, _ in work.logs] == [
        ("unn_ingest.extractors.article", logging.INFO)
    ]
    caplog.clear()  # (here the "worker" is this process, whose own handlers saw the line too)
    with caplog.at_level(logging.INFO, logger="unn_ingest"):
        replay_logs(work.logs)
    assert [r.getMessage() for r in caplog.records] == [f"[worker] {work.logs[0][2]}"]


def test_prefect_failures_we_know_get_advice() -> None:
    timed_out = RuntimeError(
        "Timed out while attempting to connect to ephemeral Prefect API server."
    )
    assert "run the command again" in str(describe_runtime_error(timed_out))
    unreachable = RuntimeError("Failed to reach API at http://127.0.0.1:9/api/")
    assert "PREFECT_API_URL" in str(describe_runtime_error(unreachable))
    assert describe_runtime_error(RuntimeError("something else")) is None
