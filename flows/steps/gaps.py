"""Coverage gaps after the run: start the backfill that fills them, or mark them filled.

A gap is a span of publish times a catch-up did not walk (`flows/steps/catchup.py`). With
`UNN_INGEST_AUTO_BACKFILL=true`, an `ingest` run of a deployment (`serve`, a worker) starts a
run of the `backfill` deployment over it without waiting for it; a run in a terminal only
says the command. A backfill that read every listing page of an edition marks that edition's
gaps within its dates filled.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from unn_ingest.extractors import clock
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.freshness import CoverageGap

log = logging.getLogger(__name__)

BACKFILL_DEPLOYMENT = "backfill/backfill"  # prefect.yaml: flow `backfill`, deployment `backfill`
PASSED_ON = ("origin", "db_url", "data_dir")  # the ingest run's parameters the backfill shares


def plan_backfills(
    gaps: Sequence[CoverageGap],
    auto_backfill: bool,
    deployment_id: object | None,
    run_parameters: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Return the parameters of the backfill runs to start: one per span of dates (editions
    with the same dates share one), none unless asked and this is a deployment's run."""
    if not gaps or not auto_backfill or deployment_id is None:
        return []
    editions: dict[tuple[date, date], list[str]] = defaultdict(list)
    for gap in gaps:
        editions[(gap.date_from, gap.date_to)].append(gap.edition)
    shared = {k: run_parameters[k] for k in PASSED_ON if run_parameters.get(k) is not None}
    return [
        {"date_from": start.isoformat(), "date_to": end.isoformat(), "editions": eds, **shared}
        for (start, end), eds in sorted(editions.items())
    ]


def start_backfills(ctx: RunContext, gaps: Sequence[CoverageGap]) -> list[dict[str, Any]]:
    """Start the backfills `plan_backfills` asks for (without waiting); return their parameters."""
    if not gaps:
        return []
    deployment_id, parameters = _this_run()
    plans = plan_backfills(gaps, ctx.auto_backfill, deployment_id, parameters)
    if ctx.auto_backfill and deployment_id is None:
        log.info("auto backfill starts only from a deployment's run: run the command above")
    for plan in plans:
        _start(plan)
    return plans


def _this_run() -> tuple[object | None, Mapping[str, Any]]:
    """Return the current flow run's deployment id (None: not a deployment's) and parameters."""
    from prefect.runtime import flow_run

    try:
        return flow_run.deployment_id, dict(flow_run.parameters or {})
    except Exception:  # outside a flow run
        return None, {}


def _start(parameters: dict[str, Any]) -> None:
    from prefect.deployments import run_deployment

    try:
        run = run_deployment(BACKFILL_DEPLOYMENT, parameters=parameters, timeout=0)
    except Exception as exc:  # the gap stays recorded and the command stays in the logs
        log.warning("could not start the %s deployment: %s", BACKFILL_DEPLOYMENT, exc)
        return
    log.warning("started backfill run %s over the gap: %s", getattr(run, "name", run), parameters)


def fill_after_backfill(
    ctx: RunContext, date_from: date, date_to: date, editions: Sequence[str]
) -> int:
    """Mark the gaps of the editions whose listings a backfill read in full filled; return how
    many. (A backfill with unread listing pages leaves that edition's gaps open.)"""
    unread = {p.edition for p in ctx.report.unread_pages}
    complete = [ed for ed in editions if ed not in unread]
    if not complete:
        return 0
    zone = ctx.zone()
    start = datetime.combine(date_from, time.min, zone).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, zone).astimezone(UTC)
    with ctx.db_lock:
        filled = ctx.store.fill_gaps(complete, start, end, clock.now())
    if filled:
        log.info("backfill filled %d recorded gaps", filled)
    return filled
