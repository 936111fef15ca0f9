"""The eval commands stop with a message naming a missing data folder, printing no score."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import typer

from unn_ingest.flows.evaluation import extraction, language, linking


@pytest.mark.parametrize(
    "command", [extraction.command, language.command], ids=["extraction", "language"]
)
def test_missing_data_folder_is_named_and_exits_non_zero(
    command: Callable[..., None], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the full evaluation (with --quick, the replica parts run alone: test_cli_terminal.py)
    with pytest.raises(typer.Exit) as stopped:
        command(json_out=False, quick=False, data=tmp_path)
    assert stopped.value.exit_code != 0
    captured = capsys.readouterr()
    assert str(tmp_path) in captured.err.replace("\n", "")
    assert "F1" not in captured.out and "%" not in captured.out


def test_the_ntrex_linking_evaluation_names_a_missing_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(typer.Exit) as stopped:
        linking.command(json_out=False, ntrex=True, data=tmp_path)
    assert stopped.value.exit_code == 2
    captured = capsys.readouterr()
    assert str(tmp_path / "ntrex-128") in captured.err.replace("\n", "")
    assert captured.out == ""
