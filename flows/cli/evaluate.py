"""The `unn-ingest eval` commands; each lives beside the evaluation it runs."""

from __future__ import annotations

import importlib

import typer

eval_app = typer.Typer(no_args_is_help=True, add_completion=False)

COMMANDS = {
    "extraction": "Body extraction F1 on real pages and the replica, against bare trafilatura.",
    "language": "Language tagging accuracy on lingua test data and the replica.",
    "linking": "Story linking precision and recall against the replica's ground truth.",
}

for _name, _help in COMMANDS.items():
    _module = importlib.import_module(f"unn_ingest.flows.evaluation.{_name}")
    eval_app.command(_name, help=_help)(_module.command)
