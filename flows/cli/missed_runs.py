"""The scheduled runs `serve` missed while it was not running, skipped instead of all run at once.

Prefect's scheduler creates a deployment's runs ahead of time. When `serve` was stopped
without pausing its schedule (killed, the machine restarted), the runs that fell due meanwhile
are still Scheduled, and the next `serve`'s runner would start every one of them, one after
the other. Each `ingest` run takes what is new since the last, so one of them is enough: the
latest missed run is left to run at once (it catches up), the earlier ones are marked Cancelled,
named "Skipped", with a message saying when they were due; the UI shows them as such.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uuid import UUID

    from prefect.client.schemas.objects import FlowRun

LATE_AFTER = timedelta(minutes=1)  # a run due less than this ago is on time, not missed
SKIPPED = "Skipped"


def skip_missed_runs(deployment_id: UUID) -> list[FlowRun]:
    """Mark Cancelled ("Skipped") the deployment's scheduled runs that fell due while nothing
    ran them, but the latest; return the runs skipped. Lateness is the server's own
    reckoning (`estimated_start_time_delta`), on the clock its scheduler uses."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.states import Cancelled

    scheduled = FlowRunFilter(
        deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id]),
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
    )
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=scheduled, sort=FlowRunSort.EXPECTED_START_TIME_ASC
        )
        missed = [run for run in runs if run.estimated_start_time_delta > LATE_AFTER]
        for run in missed[:-1]:
            due = (
                f"{run.expected_start_time:%Y-%m-%d %H:%M} UTC" if run.expected_start_time else "?"
            )
            message = f"due at {due} while serve was not running; the next run caught up"
            client.set_flow_run_state(run.id, Cancelled(name=SKIPPED, message=message), force=True)
    return missed[:-1]
