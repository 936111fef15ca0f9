"""The `unn-ingest eval` commands; each lives beside the evaluation it runs.

They are imported when one is run (or `eval --help` lists them), not at every start of the
command line: the evaluations import the replica, trafilatura and the real-data readers.
"""

from __future__ import annotations

import importlib

import typer
import typer.core
from typer import _click  # typer's own copy of click, whose types its groups are declared with

COMMANDS = {
    "extraction": "Body extraction F1 on real pages and the replica, against bare trafilatura.",
    "language": "Language tagging accuracy on lingua test data and the replica.",
    "linking": "Story linking precision and recall against the replica's ground truth.",
}


class LazyEvalGroup(typer.core.TyperGroup):
    """The `eval` group: a command's module is imported when the command is asked for."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"unn_ingest.flows.evaluation.{cmd_name}")
        one = typer.Typer(add_completion=False)
        one.command(cmd_name, help=COMMANDS[cmd_name])(module.command)
        from unn_ingest.flows.cli.examples import with_examples

        return with_examples(typer.main.get_command(one), ["eval", cmd_name])


eval_app = typer.Typer(cls=LazyEvalGroup, no_args_is_help=True, add_completion=False)
