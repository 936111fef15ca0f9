"""`unn-ingest failures`: --since parsing and the table/JSON of the fetch log's failures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from unn_ingest.config import ProfileError, Settings, load_profile
from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.flows.cli.failures import parse_since
from unn_ingest.flows.runtime import retry_delays
from unn_ingest.storage import FetchRecord, RetryDelays, Store

_register_subcommands()
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30m", NOW - timedelta(minutes=30)),
        ("2h", NOW - timedelta(hours=2)),
        ("3d", NOW - timedelta(days=3)),
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-12-01T10:30", datetime(2026, 12, 1, 10, 30, tzinfo=UTC)),
        ("2026-12-01T10:30+02:00", datetime(2026, 12, 1, 8, 30, tzinfo=UTC)),
    ],
    ids=["minutes", "hours", "days", "date", "naive-is-utc", "offset"],
)
def test_since_takes_a_duration_or_a_time(value: str, expected: datetime) -> None:
    assert parse_since(value, NOW) == expected


def test_a_bad_since_is_one_clear_error() -> None:
    with pytest.raises(typer.BadParameter, match="--since must be like"):
        parse_since("yesterday", NOW)


def test_failures_lists_what_failed_with_its_next_attempt(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'unn-ingest.sqlite3'}") as store:
        store.add_discovered(["https://unn.ua/news/ok"], "article", NOW)
        store.record_fetches(
            [
                FetchRecord(
                    "https://unn.ua/news/x", "article", 503, None, None, None, "HTTP 503", NOW
                )
            ],
            RetryDelays(),
        )
    args = ["failures", "--data-dir", str(tmp_path)]
    rows = json.loads(CliRunner().invoke(app, [*args, "--json"]).output)
    assert rows == [
        {
            "url": "https://unn.ua/news/x",
            "kind": "article",
            "stage": "fetch",
            "reason": "HTTP 503",
            "status": 503,
            "retry": "transient",
            "attempts": 1,
            "last_attempt_at": "2026-12-02T12:00:00Z",
            "next_attempt_at": "2026-12-02T12:05:00Z",
        }
    ]
    table = CliRunner().invoke(app, args, env={"COLUMNS": "200"}).output
    assert "1 failed URL(s)" in table and "HTTP 503" in table and "2026-12-02 12:05:00" in table
    later = CliRunner().invoke(app, [*args, "--json", "--since", "2026-12-03"]).output
    assert json.loads(later) == []


def test_retry_limits_come_from_the_profile_and_settings_override_them() -> None:
    profile = load_profile()
    assert profile.retries.max_attempts == 3 and profile.retries.robots_cache_seconds == 86400
    assert retry_delays(Settings(), profile) == RetryDelays(timedelta(minutes=5), timedelta(days=1))
    quick = retry_delays(Settings(retry_delay_seconds=0, retry_delay_cap_seconds=0), profile)
    assert quick == RetryDelays(timedelta(0), timedelta(0))


def test_an_unknown_retry_key_is_a_profile_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unn_ingest.config import profiles

    text = (profiles.PROFILE_DIR / "unn.toml").read_text(encoding="utf-8")
    (tmp_path / "odd.toml").write_text(text.replace("max_attempts = 3", "max_tries = 3"))
    monkeypatch.setattr(profiles, "PROFILE_DIR", tmp_path)
    with pytest.raises(ProfileError, match="max_tries"):
        load_profile("odd")
