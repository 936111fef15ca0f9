"""Without the `replica` extra the product runs; the replica's commands say what to install."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from unn_ingest.replica import ReplicaExtraMissingError, require_extra
from unn_ingest.replica.cli import replica_app


@pytest.fixture
def without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `uvloop` look uninstalled and forget the imported replica server."""
    real: Callable[..., Any] = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "uvloop" else real(name, *args)

    monkeypatch.setattr("unn_ingest.replica.find_spec", find_spec)
    monkeypatch.delitem(sys.modules, "unn_ingest.replica.server", raising=False)


def test_the_extra_is_there_in_a_dev_install() -> None:
    require_extra()


@pytest.mark.usefixtures("without_uvloop")
def test_a_missing_extra_names_what_is_missing_and_the_install_command() -> None:
    with pytest.raises(ReplicaExtraMissingError) as caught:
        require_extra()
    assert "missing: uvloop" in str(caught.value)
    assert "pip install 'unn-ingest[replica]'" in str(caught.value)


@pytest.mark.usefixtures("without_uvloop")
def test_replica_serve_without_the_extra_is_one_line_and_exit_1() -> None:
    result = CliRunner().invoke(replica_app, ["serve", "--port", "0"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: the local replica needs the 'replica' extra")


@pytest.mark.usefixtures("without_uvloop")
def test_demo_without_the_extra_is_one_line(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNN_INGEST_REQUESTS_PER_SECOND", "0")  # the demo sets both by default
    monkeypatch.setenv("UNN_INGEST_MAX_CONCURRENCY", "8")
    from unn_ingest.flows.cli.app import _register_subcommands, app

    _register_subcommands()
    result = CliRunner().invoke(app, ["demo", "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "pip install 'unn-ingest[replica]'" in result.output
    assert "Traceback" not in result.output
