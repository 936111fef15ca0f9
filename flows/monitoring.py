"""Alerts with Prefect's own machinery: automations that send to an operator's notification block.

Three automations, created (or replaced, by name) with `create_alerts`:

- a flow run of `ingest` or `backfill` failed or crashed;
- no `ingest` run has completed for N minutes (the schedule stopped, or every run fails);
- a run's failed share reached the threshold (the `unn-ingest.run.failures-high` event of
  flows/outcome.py; the threshold is `UNN_INGEST_ALERT_FAILURE_SHARE` where the runs run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from prefect.automations import Automation
from prefect.client.orchestration import get_client
from prefect.events.actions import SendNotification
from prefect.events.schemas.automations import EventTrigger, Posture

from unn_ingest.flows.errors import ConfigError
from unn_ingest.flows.outcome import FAILURE_SHARE_SETTING, FAILURES_HIGH_EVENT

PREFIX = "unn-ingest: "
FLOWS = ["ingest", "backfill"]


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Where alerts go and when a missing ingest counts as late."""

    block: str  # a notification block as "block-type-slug/name", e.g. "slack-webhook/ops"
    stale_minutes: int = 30


# A link to the run in every alert about one; without PREFECT_UI_URL (or PREFECT_API_URL) in the
# server's environment Prefect knows no address for its UI, and the alert gives the run's id.
RUN_LINK = (
    "\nThe run: {{ (flow_run|ui_url) or ('flow run ' ~ flow_run.id ~ ' (set PREFECT_UI_URL "
    "on the Prefect server for a link)') }}"
)


def minutes(count: int) -> str:
    """Return "1 minute", "30 minutes"."""
    return f"{count} minute" if count == 1 else f"{count} minutes"


def alert_automations(block_id: UUID, stale_minutes: int) -> list[Automation]:
    """Return the automations to create (not yet saved)."""
    stale = minutes(stale_minutes)
    return [
        _automation(
            "a flow run failed",
            "An ingest or backfill flow run ended Failed or Crashed (the site unreachable, "
            "nothing discovered, the database down, a crash): the alert says why and links "
            "the run.",
            EventTrigger(
                expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
                match={"prefect.resource.id": "prefect.flow-run.*"},
                match_related={"prefect.resource.role": "flow", "prefect.resource.name": FLOWS},
                posture=Posture.Reactive,
                threshold=1,
            ),
            block_id,
            "{{ event.resource['prefect.resource.name'] }} ended {{ event.event }}: "
            "{{ event.payload.validated_state.message }}" + RUN_LINK,
        ),
        _automation(
            f"no ingest completed for {stale}",
            f"No ingest flow run has completed for {stale}: the schedule is paused, no worker "
            "takes the runs, or every run fails.",
            EventTrigger(
                expect={"prefect.flow-run.Completed"},
                match={"prefect.resource.id": "prefect.flow-run.*"},
                match_related={"prefect.resource.role": "flow", "prefect.resource.name": "ingest"},
                posture=Posture.Proactive,
                threshold=1,
                within=timedelta(minutes=stale_minutes),
            ),
            block_id,
            f"No ingest flow run has completed in the last {stale}.",
        ),
        _automation(
            "failed share above the threshold",
            f"A run's failed pages reached {FAILURE_SHARE_SETTING} of those it attempted (the "
            f"run emits {FAILURES_HIGH_EVENT}); its failures artifact lists them.",
            EventTrigger(
                expect={FAILURES_HIGH_EVENT},
                match={"prefect.resource.id": "prefect.flow-run.*"},
                posture=Posture.Reactive,
                threshold=1,
            ),
            block_id,
            "{{ event.resource['prefect.resource.name'] }}: {{ event.payload.failed }} failures, "
            "a share of {{ event.payload.failure_share }}" + RUN_LINK,
        ),
    ]


def _automation(
    name: str, description: str, trigger: EventTrigger, block_id: UUID, body: str
) -> Automation:
    action = SendNotification(block_document_id=block_id, subject=PREFIX + name, body=body)
    return Automation(
        name=PREFIX + name, description=description, trigger=trigger, actions=[action]
    )


def create_alerts(settings: AlertSettings) -> list[str]:
    """Create the automations (replacing earlier ones of this project); return their names."""
    block_id = notification_block_id(settings.block)
    automations = alert_automations(block_id, settings.stale_minutes)
    with get_client(sync_client=True) as client:
        for old in client.read_automations():
            if old.name.startswith(PREFIX):
                client.delete_automation(old.id)
    for automation in automations:
        automation.create()
    return [a.name for a in automations]


def notification_block_id(block: str) -> UUID:
    """Return the id of a notification block given as "block-type-slug/name"."""
    from prefect.exceptions import ObjectNotFound

    slug, _, name = block.partition("/")
    if not slug or not name:
        raise ConfigError(f"--block must be block-type-slug/name (e.g. slack-webhook/ops): {block}")
    try:
        with get_client(sync_client=True) as client:
            document = client.read_block_document_by_name(name, slug)
    except ObjectNotFound:
        raise ConfigError(
            f"no notification block {block} on the Prefect server; create it in the UI "
            "(Blocks > +) or with `prefect block create`, then run this again"
        ) from None
    return document.id
