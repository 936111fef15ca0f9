"""What the Prefect UI shows never contradicts itself: task-run states, counts, links, names."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from unn_ingest.flows.artifacts import RunScope, merge_trend
from unn_ingest.flows.ingest import ingest, ingest_name
from unn_ingest.flows.monitoring import alert_automations
from unn_ingest.flows.outcome import RunFailedError, final_state, overwritten_message
from unn_ingest.flows.report import Failure, RunReport
from unn_ingest.flows.steps.batches import BatchResult
from unn_ingest.flows.task_states import WITH_FAILURES, batch_state
from unn_ingest.replica.testing import running_replica

# The Prefect UI's linkifier for log lines (its `LogRow` component, Prefect 3.9.1): a link runs
# on until white space, a parenthesis or a quote, so a colon after a URL ends up in the link.
UI_LINK = re.compile(r"((?:https?|ftp)://[^\s/$.?#].[^\s)\"(]*)")


def test_a_batch_that_stored_nothing_is_failed_and_one_that_stored_some_says_so() -> None:
    failed = batch_state(BatchResult((), (), requested=69, failed=69))
    assert failed.is_failed() and failed.message == "stored 0 of 69, 69 failed"
    partly = batch_state(BatchResult((1, 2), (), requested=3, failed=1))
    assert partly.is_completed() and partly.name == WITH_FAILURES
    clean = batch_state(BatchResult((1, 2, 3), (), requested=3, failed=0))
    assert clean.is_completed() and clean.name == "Completed"


def test_a_log_line_of_a_failure_links_to_the_url_itself(caplog: pytest.LogCaptureFixture) -> None:
    report = RunReport()
    url = "https://unn.ua/news/udar-po-rivnomu-poraneno-7-liudei"
    with caplog.at_level(logging.INFO, logger="unn_ingest"):
        report.fail(Failure(url, "fetch", "HTTP 404", "uk"))
        report.fail(Failure(url + "-2", "stopped", "stopped before it was fetched", "uk"))
    links = [UI_LINK.findall(r.getMessage()) for r in caplog.records]
    assert links == [[url], [url + "-2"]]


def test_the_failures_table_puts_the_reason_before_the_url() -> None:
    report = RunReport()
    report.fail(Failure("http://x/news/1", "fetch", "HTTP 503", "uk"))
    header, _, row = report.failures_markdown().splitlines()
    assert header == "| stage | edition | reason | URL |"
    assert row == "| fetch | uk | HTTP 503 | http://x/news/1 |"


def test_pages_a_stop_left_unfetched_are_no_failures_in_the_summary_or_the_trend() -> None:
    report = RunReport()
    report.add("uk", "new", 5)
    report.fail(Failure("http://x/news/1", "fetch", "HTTP 503", "uk"))
    for n in range(175):
        report.fail(
            Failure(f"http://x/news/s{n}", "stopped", "stopped before it was fetched", "uk")
        )
    assert report.table()[-1]["failed"] == 1 and len(report.failures) == 1
    assert report.summary()["not_fetched"] == 175
    trend = merge_trend([], report)  # keyed by publication day: it counts no failures at all
    assert not any(row.get("failed") for row in trend)
    message = str(final_state(report, "http://x", stopped="cancelled in Prefect").message)
    assert "5 new and 0 updated articles stored, 175 pages not fetched" in message


def test_a_dead_sites_failures_count_the_same_in_the_summary_and_the_state() -> None:
    report = RunReport()
    robots = "http://x/robots.txt"
    for _ in range(3):  # each edition's discovery met the unreachable robots.txt
        report.fail(Failure(robots, "robots", "robots.txt unreachable (refused)"))
    for edition in ("uk", "en", "ru"):
        report.fail(Failure(f"http://x/{edition}/rss", "feed", "robots.txt unreachable", edition))
        report.fail(
            Failure(f"http://x/{edition}/news", "listing", "robots.txt unreachable", edition)
        )
    assert [f.url for f in report.failures].count(robots) == 1
    rows = {r["edition"]: r for r in report.table()}
    assert rows["site"]["failed"] == 1 and list(rows)[-2:] == ["site", "total"]
    assert rows["total"]["failed"] == 7
    assert "(7 failures, first:" in str(final_state(report, "http://x").message)


def test_the_state_message_says_what_a_run_stored() -> None:
    report = RunReport()
    report.add("uk", "discovered", 230)
    report.add("uk", "new", 221)
    report.add("en", "updated", 6)
    state = final_state(report, "http://x")
    assert state.is_completed() and state.name == "Completed"  # the stale alert's event name
    assert state.message == "completed: 221 new, 6 updated, 0 failed"


def test_an_ingest_run_is_named_to_the_second_and_says_its_zone() -> None:
    start = datetime(2026, 12, 7, 10, 59, 3, tzinfo=UTC)
    name = ingest_name(start, {"editions": ["uk", "en"]})
    assert name == "ingest 2026-12-07 10:59:03 UTC uk,en"
    assert ingest_name(start.replace(second=4), {}) == "ingest 2026-12-07 10:59:04 UTC uk,en,ru"


def test_the_database_in_artifact_descriptions_is_code_not_a_mail_link() -> None:
    scope = RunScope("ingest", "http://x", "postgresql+psycopg://u:REDACTED@127.0.0.1/db", ("uk",))
    assert "**database** `postgresql+psycopg://u:REDACTED@127.0.0.1/db`" in scope.describe()


def test_automations_describe_themselves_link_the_run_and_count_minutes_right() -> None:
    from uuid import uuid4

    failed, late, share = alert_automations(uuid4(), 1)
    assert late.name == "unn-ingest: no ingest completed for 1 minute"
    assert all(a.description for a in (failed, late, share))
    for automation in (failed, share):
        body = automation.actions[0].body  # type: ignore[union-attr]
        assert "(flow_run|ui_url)" in body
    assert "30 minutes" in alert_automations(uuid4(), 30)[1].name


def test_a_cancelled_runs_own_message_is_put_back_over_the_workers() -> None:
    from prefect import State
    from prefect.states import Cancelled, Cancelling, Running

    ours = "stopped before the end: 3 new and 0 updated articles stored; run it again"
    history: list[State[Any]] = [Running(), Cancelling(), Cancelled(message=ours)]
    assert overwritten_message(history) is None  # the worker has not set its state yet
    history.append(Cancelled(message="Flow run was cancelled successfully."))
    assert overwritten_message(history) == ours
    assert overwritten_message([*history, Cancelled(message=ours)]) is None  # put back


def test_deployments_pull_nothing_so_a_worker_needs_the_package_not_a_checkout() -> None:
    import yaml

    spec = yaml.safe_load((Path(__file__).parents[2] / "prefect.yaml").read_text())
    assert spec["pull"] == []  # null would make `prefect deploy` record the checkout's path
    assert all(":" in d["entrypoint"] and "/" not in d["entrypoint"] for d in spec["deployments"])


def _stopped_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens there afterwards


@pytest.mark.usefixtures("prefect_harness")
def test_task_runs_show_a_dead_site_and_a_hostile_one(fast_site_settings: Path) -> None:
    seen: list[str] = []
    keep = logging.Handler()
    keep.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("prefect.task_runs").addHandler(keep)
    try:
        with pytest.raises(RunFailedError):
            asyncio.run(ingest(None, _stopped_port(), None, str(fast_site_settings)))
    finally:
        logging.getLogger("prefect.task_runs").removeHandler(keep)
    dead = _task_states_of_latest("ingest")
    assert {s for n, s in dead if n.startswith("catch-up")} == {"Failed"}
    # Its "Finished in state Failed(…)" line, without Prefect's echo and its empty traceback.
    assert sum("Finished in state Failed(" in m for m in seen) == 3, seen
    assert not [m for m in seen if m.startswith("Task run failed with state")]
    with running_replica(seed=2, generated=40, faults="hostile") as replica:
        summary = asyncio.run(ingest(None, replica.base_url, None, str(fast_site_settings)))
    hostile = _task_states_of_latest("ingest")
    assert summary["failures"]
    assert WITH_FAILURES in {s for n, s in hostile if n.startswith("process-batch")}


def _task_states_of_latest(flow: str) -> list[tuple[str, str]]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterId,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        run = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow])),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )[0]
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id]))
        )
    return [(t.name, t.state.name or "" if t.state else "") for t in tasks]
