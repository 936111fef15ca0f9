"""The command line as a new user meets it: one-line errors with exit codes, no silent no-ops,
read commands that create nothing, and a Ctrl-C that keeps what was fetched.

Exit codes: 2 for what the user typed, 1 for what went wrong at run time, 130 for a stop.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unn_ingest.config import Settings
from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.flows.cli.options import version
from unn_ingest.replica.testing import running_replica

runner = CliRunner()
_register_subcommands()
FUTURE = (date.today() + timedelta(days=30)).isoformat()


def one_error(args: list[str], code: int) -> str:
    """Run the CLI; check it printed exactly one line, on stderr, and exited with `code`."""
    result = runner.invoke(app, args)
    lines = result.stderr.splitlines()
    assert result.exit_code == code, result.output
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["backfill", "--from", "2025/11/19", "--to", "2025-11-20"],
            "error: --from must be a date as YYYY-MM-DD, not '2025/11/19' "
            "(see 'unn-ingest backfill --help')",
        ),
        (
            ["backfill", "--from", "2025-11-20", "--to", "2025-11-19"],
            "error: --to 2025-11-19 is before --from 2025-11-20 (see 'unn-ingest backfill --help')",
        ),
        (
            ["run", "--edition", "de"],
            "error: unknown edition(s) de; use uk,en,ru (see 'unn-ingest run --help')",
        ),
        (
            ["stories", "--edition", "fr"],
            "error: unknown edition(s) fr; use uk,en,ru (see 'unn-ingest stories --help')",
        ),
        (
            ["export", "--from", "2025/11/19"],
            "error: --from must be a date as YYYY-MM-DD, not '2025/11/19' "
            "(see 'unn-ingest export --help')",
        ),
        (
            ["export", "--from", "2025-11-20", "--to", "2025-11-19"],
            "error: --to 2025-11-19 is before --from 2025-11-20 (see 'unn-ingest export --help')",
        ),
        (
            ["probe", "not-a-url"],
            "error: 'not-a-url' is not an http(s) URL; give a page's full address, "
            "https://unn.ua/... (see 'unn-ingest probe --help')",
        ),
        (["bogus"], "error: No such command 'bogus'. (see 'unn-ingest --help')"),
        (
            ["export", "--format", "csv"],
            "error: --format must be jsonl or parquet (see 'unn-ingest export --help')",
        ),
    ],
    ids=[
        "bad-date",
        "reversed-range",
        "run-bad-edition",
        "stories-bad-edition",
        "export-bad-date",
        "export-reversed",
        "probe-not-a-url",
        "unknown-command",
        "export-bad-format",
    ],
)
def test_what_a_user_mistypes_is_one_line_and_exit_2(args: list[str], line: str) -> None:
    assert one_error(args, 2) == line


def test_future_ranges_are_refused_before_any_request() -> None:
    line = one_error(["backfill", "--from", FUTURE, "--to", FUTURE], 2)
    assert line.startswith(f"error: --from {FUTURE} is in the future (today is ")
    assert line.endswith("in Kyiv): nothing to backfill (see 'unn-ingest backfill --help')")
    line = one_error(["export", "--from", FUTURE], 2)
    assert (
        line.startswith(f"error: --from {FUTURE} is in the future") and "nothing to export" in line
    )


def test_export_out_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "out.jsonl"
    assert one_error(["export", "--out", str(missing)], 2) == (
        f"error: --out {missing}: the folder {missing.parent} does not exist "
        "(see 'unn-ingest export --help')"
    )
    assert one_error(["export", "--out", str(tmp_path)], 2) == (
        f"error: --out {tmp_path} is a folder; give a file name (see 'unn-ingest export --help')"
    )
    assert not missing.parent.exists()


@pytest.mark.parametrize("command", [["stories"], ["show", "1"], ["export"], ["health"]])
def test_read_commands_never_create_a_database_or_folder(
    command: list[str], tmp_path: Path
) -> None:
    typo = tmp_path / "dta" / "deeper"
    line = one_error([*command, "--data-dir", str(typo)], 1)
    assert line == (
        f"error: no database at {typo / 'unn-ingest.sqlite3'}: nothing was stored there "
        "(check --data-dir)"
    )
    sqlite = tmp_path / "nowhere" / "x.sqlite3"
    line = one_error([*command, "--db", f"sqlite:///{sqlite}"], 1)
    assert line == f"error: no database at {sqlite}: nothing was stored there (check --db)"
    assert list(tmp_path.iterdir()) == []


def test_version_and_short_help() -> None:
    shown = runner.invoke(app, ["--version"])
    assert shown.exit_code == 0 and shown.stdout == f"unn-ingest {version()}\n"
    assert version()[0].isdigit()
    for args in (["-h"], ["backfill", "-h"], ["export", "-h"]):
        helped = runner.invoke(app, args)
        assert helped.exit_code == 0 and "Usage:" in helped.stdout, args


def test_the_replica_is_unpaced_by_default_and_the_live_site_is_not() -> None:
    assert Settings(origin="http://127.0.0.1:8765").pacing() == (0.0, 8)
    assert Settings(origin="http://localhost:8765").pacing() == (0.0, 8)
    assert Settings(origin=None).pacing() == (None, None)  # the profile's: unn.ua at 1/s
    assert Settings(origin="https://unn.ua").pacing() == (None, None)
    paced = Settings(origin="http://127.0.0.1:8765", requests_per_second=2.0)
    assert paced.pacing() == (2.0, None)


def test_serve_without_a_prefect_server_on_a_taken_ui_port_is_one_line(tmp_path: Path) -> None:
    import socket

    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "unn_ingest", "serve", "--ui-port", str(port)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [f"error: port {port} is in use: choose another --ui-port"]
    assert not (tmp_path / "data").exists()  # nothing started, nothing written


def test_probe_of_a_missing_page_fails_with_exit_1() -> None:
    with running_replica(seed=7, generated=15) as replica:
        url = replica.base_url + "/en/news/no-such-article"
        result = runner.invoke(app, ["probe", url, "--origin", replica.base_url])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [f"error: {url} could not be read: HTTP 404"]


def test_an_empty_store_says_so(tmp_path: Path) -> None:
    from unn_ingest.storage import Store

    Store.open(f"sqlite:///{tmp_path / 'unn-ingest.sqlite3'}").close()
    result = runner.invoke(app, ["stories", "--data-dir", str(tmp_path), "--edition", "en"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["note: no stories stored with an edition in en"]


def test_a_backfill_of_days_the_site_never_listed_says_so(
    prefect_harness: None, fast_site_settings: Path
) -> None:
    with running_replica(seed=7, generated=15) as replica:
        args = ["backfill", "--from", "2020-01-01", "--to", "2020-01-02", "--json"]
        result = runner.invoke(app, [*args, "--origin", replica.base_url])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == (
        "note: the site listed no articles from 2020-01-01 to 2020-01-02; nothing was fetched"
    )


def test_the_summary_lists_every_failure_or_says_where_they_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from unn_ingest.flows.cli.app import _print_summary
    from unn_ingest.flows.cli.views import FAILURES_SHOWN
    from unn_ingest.flows.report import COUNTERS

    totals = dict.fromkeys(COUNTERS, 0) | {"discovered": 30, "fetched": 5, "failed": 25}
    failures = [
        {"url": f"https://unn.ua/en/news/{n}", "stage": "fetch", "reason": "HTTP 503"}
        for n in range(25)
    ]
    _print_summary({"editions": {"en": totals, "total": totals}, "failures": failures}, False)
    lines = capsys.readouterr().out.splitlines()
    listed = [line for line in lines if line.startswith("failed (fetch): ")]
    assert listed[0] == "failed (fetch): https://unn.ua/en/news/0: HTTP 503"
    assert len(listed) == FAILURES_SHOWN
    assert lines[-1] == (
        "... and 5 more failures: all are in the --json output, the run's *-failures artifact "
        "in Prefect, and the fetch_log table"
    )
    assert any(line.startswith("discovered: listed by feeds and listing pages;") for line in lines)
