"""`unn-ingest alerts create`: Prefect automations that notify an operator's block."""

from __future__ import annotations

from typing import Annotated

import typer

from unn_ingest.flows.cli.options import console, user_errors
from unn_ingest.flows.orchestrator import prefect_errors

alerts_app = typer.Typer(no_args_is_help=True)


@alerts_app.command("create")
def create(
    block: Annotated[
        str,
        typer.Option(help="Notification block as type-slug/name, e.g. slack-webhook/ops."),
    ],
    stale_minutes: Annotated[
        int, typer.Option(min=1, help="Alert when no ingest run has completed for this long.")
    ] = 30,
) -> None:
    """Create (or replace) the automations: a run failed, ingest is late, many pages failed."""
    with user_errors(), prefect_errors():
        from unn_ingest.flows.monitoring import AlertSettings, create_alerts

        names = create_alerts(AlertSettings(block=block, stale_minutes=stale_minutes))
    for name in names:
        console.print(f"created automation [bold]{name}[/bold] -> {block}")
