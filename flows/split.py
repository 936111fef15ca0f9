"""The split backfill: a parent flow that cuts a date range into parts and runs each part as
its own flow run of the `backfill-part` deployment, so that every worker on the pool shares it.

A part is a backfill of a few days done in one sweep (`backfill_part`): listings, the
selection, batches that run across day boundaries, then one content-linking pass over the
part, instead of the day-by-day loop of `backfill` (which shows progress per day to a person
at a terminal). Fewer, larger tasks keep Prefect's bookkeeping small: about 8 task runs per
1,000 articles for week-long parts instead of 17. Parts are idempotent and resumable like any
backfill. Each carries a tag naming
its part (`unn-part:2025-11-01..2025-11-07:uk,en,ru`); a re-run of the parent skips the parts
that already have a completed run and launches only the others, so after a worker died it
finishes what is missing. A site-wide Prefect global concurrency limit (`site_limit`), passed
to every part's environment, keeps the politeness budget for all the workers together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from prefect import flow, get_run_logger
from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import StateType
from prefect.deployments.flow_runs import arun_deployment

from unn_ingest.flows import tasks
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.errors import IngestError
from unn_ingest.flows.ingest import (
    PipelineFlow,
    RunWatch,
    backfill_run_name,
    date_span,
    discover_range,
    fetch_and_store,
    quote,
    run_scope,
    run_steps,
)
from unn_ingest.flows.outcome import keep_stopped_message
from unn_ingest.flows.runtime import resolve_settings

SPLIT_TAG = "unn-split"
PART_TAG = "unn-part"
DEFAULT_DEPLOYMENT = "backfill-part/backfill-part"
POLL_SECONDS = 1.0
PAGE = 200  # flow runs per API read (the server's default cap)


class SplitBackfillError(IngestError):
    """Some parts of a split backfill did not complete; re-running the parent finishes them."""


@dataclass(frozen=True)
class Part:
    """One part of a split backfill: a range of site-local dates, both ends inclusive."""

    date_from: date
    date_to: date

    def tag(self, editions: Sequence[str], refetch: bool) -> str:
        """Name this part (and what it fetches) in a tag, to find its completed runs."""
        what = ",".join(editions) + (":refetch" if refetch else "")
        return f"{PART_TAG}:{self.date_from}..{self.date_to}:{what}"


def cut_range(date_from: date, date_to: date, part_days: int = 1) -> list[Part]:
    """Cut [date_from, date_to] into consecutive parts of `part_days` days (newest first)."""
    if part_days < 1:
        raise ValueError(f"part_days must be at least 1, not {part_days}")
    if date_to < date_from:
        raise ValueError(f"date_to {date_to} is before date_from {date_from}")
    parts = []
    start = date_from
    while start <= date_to:
        end = min(start + timedelta(days=part_days - 1), date_to)
        parts.append(Part(start, end))
        start = end + timedelta(days=1)
    return parts[::-1]  # like a backfill: the newest days are usually wanted first


async def _backfill_part(
    date_from: date,
    date_to: date,
    editions: list[str] | None = None,
    origin: str | None = None,
    db_url: str | None = None,
    data_dir: str | None = None,
    refetch: bool = False,
) -> dict[str, object]:
    """Store every article of the local dates date_from..date_to in one sweep (a split part)."""
    settings = resolve_settings(origin=origin, db_url=db_url, data_dir=data_dir)
    scope = replace(
        run_scope("backfill-part", settings, editions), date_from=date_from, date_to=date_to
    )
    return await run_steps(settings, scope, part_steps, date_from, date_to, editions, refetch)


def part_run_name() -> str:
    """Name a part like a backfill: `backfill-part 2025-11-01..07 uk,en,ru`."""
    return "backfill-part" + backfill_run_name().removeprefix("backfill")


backfill_part = PipelineFlow(
    _backfill_part,
    name="backfill-part",
    flow_run_name=part_run_name,
    log_prints=False,
    on_cancellation=[keep_stopped_message],  # a worker's cancel keeps the part's own message
)


def part_steps(
    ctx: RunContext,
    watch: RunWatch,
    date_from: date,
    date_to: date,
    editions: list[str] | None,
    refetch: bool,
) -> None:
    """Run the steps of `backfill_part` (inside its flow run): its days in one sweep."""
    _, requests = discover_range(ctx, watch, date_from, date_to, editions, refetch)
    where = date_span(date_from, date_to)
    stored = fetch_and_store(ctx, requests, watch, where)
    tasks.link_by_content(quote(ctx), quote(stored), where)


@flow(name="split-backfill", log_prints=False)
async def split_backfill(
    date_from: date,
    date_to: date,
    part_days: int = 1,
    editions: list[str] | None = None,
    refetch: bool = False,
    deployment: str = DEFAULT_DEPLOYMENT,
    site_limit: str | None = None,
    origin: str | None = None,
) -> dict[str, Any]:
    """Run each part of date_from..date_to as a flow run of `deployment`; skip completed parts."""
    chosen = editions or ["uk", "en", "ru"]
    parts = cut_range(date_from, date_to, part_days)
    tags = {part: part.tag(chosen, refetch) for part in parts}
    async with get_client() as client:
        target = await client.read_deployment_by_name(deployment)
        done = await completed_tags(client, target.id, list(tags.values()))
    todo = [part for part in parts if tags[part] not in done]
    logger = get_run_logger()
    logger.info(
        "%d parts, %d completed before, %d to run", len(parts), len(parts) - len(todo), len(todo)
    )
    parameters = {"editions": chosen, "refetch": refetch, "origin": origin}
    env = {"UNN_INGEST_SITE_LIMIT": site_limit} if site_limit else {}
    runs = await asyncio.gather(
        *(_run_part(deployment, part, tags[part], parameters, env) for part in todo)
    )
    failed = [
        f"{part.date_from}..{part.date_to}: {state}"
        for part, state in zip(todo, runs, strict=True)
        if state != "COMPLETED"
    ]
    summary = {
        "parts": len(parts),
        "completed_before": len(parts) - len(todo),
        "ran": len(todo),
        "failed": failed,
    }
    if failed:
        raise SplitBackfillError(
            f"{len(failed)} of {len(parts)} parts did not complete ({'; '.join(failed)}): "
            "run the same split backfill again to finish them"
        )
    return summary


async def completed_tags(
    client: PrefectClient, deployment_id: Any, wanted: Sequence[str]
) -> set[str]:
    """Return the part tags among `wanted` that have a completed run of the deployment."""
    runs_filter = FlowRunFilter(
        tags=FlowRunFilterTags(all_=[SPLIT_TAG]),
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.COMPLETED])),
    )
    by_deployment = DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
    found: set[str] = set()
    offset = 0
    while True:
        page = await client.read_flow_runs(
            flow_run_filter=runs_filter,
            deployment_filter=by_deployment,
            limit=PAGE,
            offset=offset,
        )
        found.update(tag for run in page for tag in run.tags)
        if len(page) < PAGE:
            return found & set(wanted)
        offset += PAGE


async def _run_part(
    deployment: str, part: Part, tag: str, parameters: dict[str, Any], env: dict[str, str]
) -> str:
    """Run one part to its end as a flow run of the deployment; return its final state type."""
    run = await arun_deployment(
        name=deployment,
        parameters={"date_from": part.date_from, "date_to": part.date_to, **parameters},
        flow_run_name=f"part-{part.date_from}..{part.date_to}",
        tags=[SPLIT_TAG, tag],
        job_variables={"env": env} if env else None,
        poll_interval=POLL_SECONDS,
    )
    return run.state.type.value if run.state is not None else "UNKNOWN"
