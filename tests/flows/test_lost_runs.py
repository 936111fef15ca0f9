"""Flow runs a lost Prefect server left Running: recorded by the run, ended Crashed by the next."""

from __future__ import annotations

import logging
from pathlib import Path
from uuid import uuid4

import pytest

from unn_ingest.flows import lost_runs
from unn_ingest.flows.lost_runs import LostRun, lost_runs_file, read_lost_runs, remember, settle
from unn_ingest.flows.report import RunReport
from unn_ingest.flows.server_watch import ServerWatch, server_lost_message

API = "http://127.0.0.1:4200/api"
OTHER = "http://10.0.0.7:4200/api"


def lost(api: str = API, stored: int | None = 12) -> LostRun:
    return LostRun(api, str(uuid4()), "2025-11-20 10:00:00 UTC", stored)


def test_a_remembered_run_is_read_back(tmp_path: Path) -> None:
    runs = [lost(), lost(OTHER, None)]
    for run in runs:
        remember(tmp_path, run)
    assert read_lost_runs(lost_runs_file(tmp_path)) == runs


def test_lines_that_cannot_be_read_are_dropped(tmp_path: Path) -> None:
    run = lost()
    remember(tmp_path, run)
    with lost_runs_file(tmp_path).open("a") as file:
        file.write("{not json\n" + '{"api_url": "x"}\n')
    assert read_lost_runs(lost_runs_file(tmp_path)) == [run]


def test_settle_ends_this_servers_runs_and_keeps_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, refused, elsewhere = lost(), lost(), lost(OTHER)
    for run in (ours, refused, elsewhere):
        remember(tmp_path, run)
    asked: list[LostRun] = []

    def crash(run: LostRun) -> bool:
        asked.append(run)
        return run != refused  # the server could not be asked about this one

    monkeypatch.setattr(lost_runs, "crash", crash)
    assert settle(tmp_path, API) == 1
    assert asked == [ours, refused]
    left = read_lost_runs(lost_runs_file(tmp_path))
    assert sorted(r.flow_run_id for r in left) == sorted(
        [refused.flow_run_id, elsewhere.flow_run_id]
    )
    assert list(lost_runs_file(tmp_path).parent.iterdir()) == [lost_runs_file(tmp_path)]


def test_settle_without_a_list_does_nothing(tmp_path: Path) -> None:
    assert settle(tmp_path, API) == 0
    assert not lost_runs_file(tmp_path).parent.exists()


@pytest.mark.parametrize(
    ("stored", "says"),
    [(2022, "(2,022 articles)"), (None, "stored what it had fetched and")],
    ids=["counted", "not-counted"],
)
def test_the_crashed_message_says_why_and_what_was_stored(stored: int | None, says: str) -> None:
    message = lost(stored=stored).message()
    assert "unreachable from 2025-11-20 10:00:00 UTC" in message and says in message


def test_a_run_id_that_is_not_one_is_settled_without_asking() -> None:
    assert lost_runs.crash(LostRun(API, "not-a-uuid", "then", None))


@pytest.mark.parametrize(
    ("stored", "count"),
    [(1359, " (1,359 articles stored by this run)"), (None, "")],
    ids=["counted", "before-the-run-opened"],
)
def test_the_lost_servers_line_names_it_and_counts_what_is_kept(
    stored: int | None, count: str
) -> None:
    assert server_lost_message(API, stored) == (
        f"the Prefect server is unreachable at {API}: what was stored is kept{count}; "
        "run the same command again once the server is back"
    )


def test_the_last_words_record_the_run_and_point_at_the_log_file(tmp_path: Path) -> None:
    report = RunReport()
    for article_id in (1, 2, 3):
        report.stored(article_id)
    watch = ServerWatch(API, tmp_path, flow_run_id=str(uuid4()), lost_at="2025-11-20 10:00:00 UTC")
    watch.report = report
    (tmp_path / "logs").mkdir()
    log_file = tmp_path / "logs" / "unn-ingest.log"
    handler = logging.FileHandler(log_file)
    logging.getLogger().addHandler(handler)
    try:
        line = watch.last_words()
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert line == f"error: {server_lost_message(API, 3)} (details: {log_file})"
    [run] = read_lost_runs(lost_runs_file(tmp_path))
    assert (run.api_url, run.flow_run_id, run.stored) == (API, watch.flow_run_id, 3)
