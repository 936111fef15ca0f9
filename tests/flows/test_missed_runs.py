"""After a `serve` that was killed, the scheduled runs it missed are skipped, but the latest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from unn_ingest.extractors import clock
from unn_ingest.flows.cli.missed_runs import SKIPPED, skip_missed_runs

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


def test_the_runs_missed_while_serve_was_down_are_skipped_but_the_latest() -> None:
    from prefect.client.orchestration import get_client
    from prefect.states import Scheduled

    now = clock.now()
    hours = {"3 h ago": -3, "2 h ago": -2, "1 h ago": -1, "in 1 h": 1}
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name("ingest-missed-test")
        deployment_id = client.create_deployment(flow_id, "ingest-scheduled-missed-test")
        ids = {
            name: client.create_flow_run_from_deployment(
                deployment_id, state=Scheduled(scheduled_time=now + timedelta(hours=h))
            ).id
            for name, h in hours.items()
        }
        skipped = skip_missed_runs(deployment_id)
        states = {name: client.read_flow_run(run_id).state for name, run_id in ids.items()}
    assert sorted(run.id for run in skipped) == sorted([ids["3 h ago"], ids["2 h ago"]])
    shown = {name: (s.type.value, s.name) for name, s in states.items() if s is not None}
    assert shown == {
        "3 h ago": ("CANCELLED", SKIPPED),
        "2 h ago": ("CANCELLED", SKIPPED),
        "1 h ago": ("SCHEDULED", "Scheduled"),  # runs at once and catches up
        "in 1 h": ("SCHEDULED", "Scheduled"),
    }
    message = states["3 h ago"].message if states["3 h ago"] else ""
    assert message and "while serve was not running" in message
