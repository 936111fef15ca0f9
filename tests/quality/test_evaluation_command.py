"""The eval commands: a missing data folder is named (no score printed); their tables fit 80
columns."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from rich.console import Console
from rich.table import Table

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


def at_80_columns(table: Table) -> list[str]:
    """Return the lines a terminal 80 columns wide shows of this table."""
    with open(os.devnull, "w") as nowhere:
        console = Console(width=80, record=True, file=nowhere)
        console.print(table)
    return console.export_text().splitlines()


def test_the_fields_table_reads_at_80_columns() -> None:
    from unn_ingest.flows.evaluation.fields import BARE, FIELDS, OURS, FieldRates

    rates = [
        FieldRates(dataset, method, 120, {name: 1.0 if method == OURS else None for name in FIELDS})
        for dataset in ("fundus-pravda", "replica", "replica-amp", "replica-b", "replica-nomatch")
        for method in (OURS, BARE)
    ] + [FieldRates("replica-b-nomatch", OURS, 120, dict.fromkeys(FIELDS, 0.5))]
    lines = at_80_columns(extraction.fields_table(rates))
    assert max(map(len, lines)) <= 80
    assert not any("…" in line for line in lines), lines  # nothing cut short
    rows = {
        line.split()[0]: line.split()[1:]
        for line in lines
        if line.split()[:1] in (["title"], ["image_caption"])
    }
    assert rows["title"] == ["100/-"] * 5 + ["50/-"]
    assert rows["image_caption"] == ["100/-"] * 5 + ["50/-"]


def test_the_metadata_table_reads_at_80_columns() -> None:
    rates = {
        name: extraction.MetadataRates(120, 1.0, 1.0, 1.0, 120, 0.995, None, 76, 1.0)
        for name in ("replica", "replica-b", "replica-nomatch", "replica-b-nomatch")
    }
    rates["replica"] = extraction.MetadataRates(240, 1.0, 1.0, 1.0, 240, 1.0, 1.0, 76, 1.0)
    lines = at_80_columns(extraction.metadata_table(rates))
    assert max(map(len, lines)) <= 80
    assert not any("…" in line for line in lines), lines  # nothing cut short
    rows = {line.split()[0]: line.split()[1:] for line in lines if line.strip()}
    assert rows["author"] == ["100.00%"] + ["99.50%"] * 3
    assert rows["published_at"] == ["100.00%"] * 4
    assert "rubric" in rows and rows["rubric"][-4:] == ["100.00%", "-", "-", "-"]
