"""Where Prefect keeps its state for a command (the data directory unless the user says
otherwise), whether a Prefect API is configured, and its telemetry off by default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from unn_ingest.flows.cli.local_server import LocalServer, port_is_free, ui_port
from unn_ingest.flows.cli.prefect_server import home_environment, quickly_configured
from unn_ingest.flows.errors import ConfigError


@pytest.fixture
def user_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's home without any Prefect setting in the environment."""
    for name in [n for n in os.environ if n.startswith("PREFECT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def test_prefect_state_goes_under_the_data_directory(user_home: Path, tmp_path: Path) -> None:
    env = home_environment(tmp_path / "data")
    assert env == {"PREFECT_HOME": str((tmp_path / "data" / "prefect").resolve())}


def test_the_users_prefect_profiles_and_logging_stay_where_they_are(
    user_home: Path, tmp_path: Path
) -> None:
    (user_home / ".prefect").mkdir()
    (user_home / ".prefect" / "profiles.toml").write_text('active = "local"\n')
    (user_home / ".prefect" / "logging.yml").write_text("version: 1\n")
    env = home_environment(tmp_path / "data")
    assert env["PREFECT_PROFILES_PATH"] == str(user_home / ".prefect" / "profiles.toml")
    assert env["PREFECT_LOGGING_CONFIG_PATH"] == str(user_home / ".prefect" / "logging.yml")


def test_a_prefect_home_the_user_set_is_kept(
    user_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "elsewhere"))
    assert home_environment(tmp_path / "data") == {}


@pytest.mark.parametrize(
    ("profiles", "configured"),
    [
        (
            'active = "remote"\n[profiles.remote]\nPREFECT_API_URL = "http://10.0.0.5:4200/api"\n',
            True,
        ),
        ('active = "local"\n[profiles.local]\nPREFECT_LOGGING_LEVEL = "INFO"\n', False),
        ("not toml [", False),
    ],
    ids=["profile-names-an-api", "profile-without-api", "broken-profiles-file"],
)
def test_an_api_in_the_active_profile_counts_as_configured(
    user_home: Path, profiles: str, configured: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    (user_home / ".prefect").mkdir()
    (user_home / ".prefect" / "profiles.toml").write_text(profiles)
    monkeypatch.delitem(sys.modules, "prefect", raising=False)  # the quick check reads the file
    assert quickly_configured() is configured


def test_an_api_in_the_environment_counts_as_configured(
    user_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert quickly_configured()


def test_the_ui_takes_the_port_asked_for_or_the_first_free_one_from_4200() -> None:
    port = ui_port(None)
    assert port >= 4200 and port_is_free(port)
    server = LocalServer(port, ui=True)
    assert server.url == f"http://127.0.0.1:{port}" and server.api_url.endswith("/api")
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ConfigError, match="choose another --ui-port"):
            ui_port(taken.getsockname()[1])


TELEMETRY = ("DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED")
SHOW = f"import os, unn_ingest.flows; print(*(os.environ[n] for n in {TELEMETRY!r}))"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, "1 false"),
        ({"DO_NOT_TRACK": "0", "PREFECT_SERVER_ANALYTICS_ENABLED": "true"}, "0 true"),
    ],
    ids=["off-by-default", "the-operator-turns-it-on"],
)
def test_prefect_telemetry_is_off_unless_the_operator_turns_it_on(
    given: dict[str, str], expected: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in TELEMETRY} | given
    shown = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True)
    assert shown.stdout.strip() == expected, shown.stderr
