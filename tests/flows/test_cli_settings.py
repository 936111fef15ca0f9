"""Settings are checked before anything runs: one line naming the setting, the value and its
range, exit 2, and nothing written; profiles alike; a read-only data folder; `config`."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.storage.conftest import build_input
from unn_ingest.config import Settings, SettingsError, load_profile
from unn_ingest.config.profiles import PROFILE_DIR, ProfileError
from unn_ingest.extractors import clock
from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.storage import Store

runner = CliRunner()
_register_subcommands()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder with the data folder inside it, and no UNN_INGEST_* set."""
    for key in list(os.environ):
        if key.startswith("UNN_INGEST_") and key != "UNN_INGEST_TEST_PG_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UNN_INGEST_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def refused(args: list[str], env: dict[str, str] | None = None) -> str:
    """Run the CLI; check it printed one line on stderr and exited 2; return the line."""
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("UNN_INGEST_REQUESTS_PER_SECOND", "-1", "allowed: a number from 0 to 1000"),
        ("UNN_INGEST_MAX_CONCURRENCY", "0", "allowed: an integer from 1 to 64"),
        ("UNN_INGEST_MAX_CONCURRENCY", "-3", "allowed: an integer from 1 to 64"),
        ("UNN_INGEST_BATCH_SIZE", "0", "allowed: an integer from 1 to 10000"),
        ("UNN_INGEST_WORKERS", "many", "allowed: an integer from 1 to 256"),
        ("UNN_INGEST_REVISIT_MIN_MINUTES", "-5", "allowed: a number from 0 to 2880"),
        ("UNN_INGEST_REVISIT_AGE_FACTOR", "2", "allowed: a number from 0 to 1"),
        ("UNN_INGEST_ARCHIVE_MAX_MB", "0", "allowed: a number more than 0, at most 1048576"),
        ("UNN_INGEST_RETRY_DELAY_SECONDS", "-1", "allowed: a number from 0 to 2592000"),
        ("UNN_INGEST_ALERT_FAILURE_SHARE", "1.5", "allowed: a number from 0 to 1"),
    ],
)
@pytest.mark.parametrize(
    "command", [["run"], ["backfill", "--from", "2025-11-19", "--to", "2025-11-19"], ["stories"]]
)
def test_a_bad_setting_is_one_line_with_its_range_and_nothing_is_written(
    workdir: Path, variable: str, value: str, allowed: str, command: list[str]
) -> None:
    line = refused(command, {variable: value})
    assert line == f"error: invalid setting {variable}={value}: {allowed}"
    assert list(workdir.iterdir()) == []  # no data folder, no database, no prefect/


def test_an_origin_that_is_not_http_is_named_with_its_option(workdir: Path) -> None:
    line = refused(["run"], {"UNN_INGEST_ORIGIN": "ftp://nowhere"})
    assert line == (
        "error: invalid setting UNN_INGEST_ORIGIN (--origin)=ftp://nowhere: not an http(s) URL; "
        "allowed: http(s)://host[:port]"
    )
    assert list(workdir.iterdir()) == []


def test_a_retry_cap_below_the_delay_is_refused(workdir: Path) -> None:
    env = {"UNN_INGEST_RETRY_DELAY_SECONDS": "600", "UNN_INGEST_RETRY_DELAY_CAP_SECONDS": "60"}
    assert refused(["run"], env) == (
        "error: invalid setting UNN_INGEST_RETRY_DELAY_CAP_SECONDS=60 is below "
        "UNN_INGEST_RETRY_DELAY_SECONDS=600; allowed: a cap at least the delay"
    )


@pytest.mark.parametrize("rate", ["0", "50"])
def test_a_public_origin_cannot_be_crawled_without_pacing(workdir: Path, rate: str) -> None:
    for command in (["run"], ["run", "--origin", "https://example.org"]):
        origin = command[-1] if len(command) > 1 else "https://unn.ua"
        assert refused(command, {"UNN_INGEST_REQUESTS_PER_SECOND": rate}) == (
            f"error: UNN_INGEST_REQUESTS_PER_SECOND={rate} for the public origin {origin}; "
            "allowed: more than 0 and at most 5 requests/s (0, no pacing, is only for a "
            "loopback origin)"
        )
    assert list(workdir.iterdir()) == []
    with pytest.raises(SettingsError):
        Settings(requests_per_second=0.0).pacing()
    assert Settings(requests_per_second=0.0, origin="http://127.0.0.1:1").pacing() == (0.0, None)
    assert Settings(requests_per_second=5.0).pacing() == (5.0, None)


def test_a_bad_database_url_leaves_no_data_folder(workdir: Path) -> None:
    line = refused(["run", "--db", "mysql://me@db.example/unn"])
    assert line == "error: unsupported database 'mysql': use sqlite or postgresql"
    assert list(workdir.iterdir()) == []


def test_a_bad_clock_is_one_line(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "_current", None)  # read UNN_INGEST_CLOCK again
    try:
        args = ["backfill", "--from", "2025-11-19", "--to", "2025-11-19"]
        line = refused(args, {"UNN_INGEST_CLOCK": "yesterday"})
    finally:
        clock.set_clock(clock.SystemClock())
    assert line == "error: UNN_INGEST_CLOCK='yesterday': 'yesterday' is not an instant"
    assert list(workdir.iterdir()) == []


def edited_profile(folder: Path, old: str, new: str, count: int = 1) -> Path:
    text = (PROFILE_DIR / "unn.toml").read_text(encoding="utf-8")
    assert old in text
    path = folder / "edited.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('feed_path = "/rss/news_en.xml"', "# ", "editions[1].feed_path is missing"),
        (
            'feed_path = "/rss/news_uk.xml"',
            'feed_pth = "/rss/news_uk.xml"',
            "editions[0].feed_path is missing; editions[0].feed_pth is not a known key (mistyped?)",
        ),
        (
            "requests_per_second = 1.0",
            'requests_per_second = "fast"',
            "requests_per_second=fast: allowed: a number more than 0, at most 5",
        ),
        (
            "max_attempts = 3",
            "max_attempts = 0",
            "retries.max_attempts=0: allowed: an integer from 1 to 20",
        ),
    ],
    ids=["missing", "mistyped", "wrong-type", "out-of-range"],
)
def test_a_profile_names_the_file_and_the_place_of_a_bad_key(
    workdir: Path, old: str, new: str, problem: str
) -> None:
    path = edited_profile(workdir, old, new)
    with pytest.raises(ProfileError) as raised:
        load_profile(str(path))
    assert str(raised.value) == f"site profile {path} is malformed: {problem}"
    line = refused(["run"], {"UNN_INGEST_PROFILE": str(path)})
    assert line == f"error: site profile {path} is malformed: {problem}"
    assert sorted(p.name for p in workdir.iterdir()) == ["edited.toml"]


def read_only(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI with `data` mounted read-only (a user namespace: no privileges needed)."""
    folder = shlex.quote(str(data))
    command = shlex.join([sys.executable, "-m", "unn_ingest", *args, "--data-dir", str(data)])
    script = f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} && {command}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNN_INGEST_")}
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_a_read_only_data_folder_can_be_read_and_is_not_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(f"sqlite:///{data / 'unn-ingest.sqlite3'}") as store:
        store.upsert_articles([build_input("en", "kept"), build_input("uk", "kept-too")])
    before = sorted(p.name for p in data.iterdir())
    exported = read_only(data, "export")
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.splitlines()) == 2
    assert exported.stderr == "exported 2 articles\n"
    for command in (["stories", "--json"], ["show", "1"], ["failures"]):
        shown = read_only(data, *command)
        assert shown.returncode == 0 and "error" not in shown.stderr, (command, shown.stderr)
    written = read_only(data, "run", "--origin", "http://127.0.0.1:9")
    assert written.returncode == 2, written.stderr
    assert written.stderr == (
        f"error: the data folder {data} is not writable; this command writes there (choose "
        "another with --data-dir / UNN_INGEST_DATA_DIR; reading commands such as stories and "
        "export still work)\n"
    )
    assert sorted(p.name for p in data.iterdir()) == before


def test_config_shows_each_setting_its_source_and_no_password(workdir: Path) -> None:
    env = {
        "UNN_INGEST_BATCH_SIZE": "160",
        "UNN_INGEST_DB_URL": "postgresql+psycopg://me:secret@db.example/unn",
    }
    result = runner.invoke(app, ["config", "--origin", "http://127.0.0.1:8765"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "secret" not in result.stdout
    assert lines[0] == "UNN_INGEST_ORIGIN=http://127.0.0.1:8765  # option; an http(s) URL"
    assert (
        "UNN_INGEST_DB_URL=postgresql+psycopg://me:***@db.example/unn  # environment; "
        "a sqlite:/// or postgresql:// URL"
    ) in lines
    assert "UNN_INGEST_BATCH_SIZE=160  # environment; an integer from 1 to 10000" in lines
    assert (
        "UNN_INGEST_REQUESTS_PER_SECOND=0.0  # default for a loopback origin; "
        "a number from 0 to 1000"
    ) in lines
    assert (
        "UNN_INGEST_RETRY_DELAY_SECONDS=300.0  # profile unn [retries]; a number from 0 to 2592000"
    ) in lines
    assert "UNN_INGEST_ARCHIVE=true  # default; true or false" in lines
    names = [line.split("=", 1)[0] for line in lines]
    assert names == ["UNN_INGEST_" + n.upper() for n in Settings.model_fields]
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ["serve", "--cron", "*/10 * * *"],
            {},
            "error: --cron / UNN_INGEST_CRON '*/10 * * *' is not a cron expression, "
            "e.g. '*/10 * * * *' (see 'unn-ingest serve --help')",
        ),
        (
            ["serve"],
            {"UNN_INGEST_REQUESTS_PER_SECOND": "0"},
            "error: UNN_INGEST_REQUESTS_PER_SECOND=0 for the public origin https://unn.ua; "
            "allowed: more than 0 and at most 5 requests/s (0, no pacing, is only for a "
            "loopback origin)",
        ),
    ],
    ids=["cron", "unpaced"],
)
def test_serve_refuses_a_bad_setting_before_it_starts_a_server(
    workdir: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    assert refused(args, env) == expected
    assert list(workdir.iterdir()) == []  # no Prefect state, no data folder
