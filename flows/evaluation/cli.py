"""The `unn-ingest eval` commands; each lives beside the evaluation it runs."""

from __future__ import annotations

import typer

from flows.evaluation import extraction, language, linking

eval_app = typer.Typer(no_args_is_help=True, add_completion=False)
eval_app.command("extraction", help="Body extraction F1 on real pages and the replica.")(
    extraction.command
)
eval_app.command("language", help="Language tagging accuracy on lingua test data and the replica.")(
    language.command
)
eval_app.command("linking", help="Story linking precision and recall against the replica.")(
    linking.command
)
