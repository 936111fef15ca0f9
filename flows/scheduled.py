"""Names for the runs a Prefect server schedules ahead of time.

The server creates a deployment's scheduled runs days ahead, with random names (`tall-fox`)
that a run's `flow_run_name` replaces only when it starts: Prefect 3.9 has no name template
for scheduled runs. So each run of a deployment names its deployment's scheduled runs the way
they will be named when they start (an ingest run by its scheduled start, in UTC), and the
runs list shows what is coming under the names it will keep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)

RunNamer = Callable[[datetime, dict[str, Any]], str]  # (scheduled start, parameters) -> name
SCHEDULED_AHEAD = 100  # the most scheduled runs renamed at once (the server's own maximum)


def name_scheduled_runs(name_of: RunNamer, limit: int = SCHEDULED_AHEAD) -> int:
    """Name the current deployment's scheduled runs with `name_of`; return how many changed.

    Nothing happens outside a deployment's run (a run started in a terminal has no
    schedule). A failure is logged: names help to read the UI, they never fail a run.
    """
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    run = context.flow_run if context is not None else None
    if run is None or run.deployment_id is None:
        return 0
    try:
        return _rename(run.deployment_id, name_of, limit)
    except Exception as exc:
        log.warning("could not name the deployment's scheduled runs: %s", exc)
        return 0


def _rename(deployment_id: Any, name_of: RunNamer, limit: int) -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    scheduled = FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
    renamed = 0
    with get_client(sync_client=True) as client:
        upcoming = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            flow_run_filter=FlowRunFilter(state=scheduled),
            limit=limit,
        )
        for other in upcoming:
            if other.expected_start_time is None:
                continue
            wanted = name_of(other.expected_start_time, other.parameters)
            if other.name != wanted:
                client.update_flow_run(other.id, name=wanted)
                renamed += 1
    return renamed
