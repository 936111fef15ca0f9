"""The Prefect flows: `ingest` (latest from feeds and listings) and `backfill` (a date range).

A flow's steps read like the pipeline diagram; every step is a task wrapping a plain function.
From synchronous code, run a flow with `asyncio.run(ingest(...))`.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, ParamSpec, TypeVar, cast

from prefect import Flow, State
from prefect.context import SyncClientContext
from prefect.exceptions import TerminationSignal
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote as prefect_quote

from unn_ingest.config import Settings
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.extractors.urls import article_key
from unn_ingest.flows import drift, tasks
from unn_ingest.flows.artifacts import (
    ProgressArtifact,
    RunScope,
    publish_artifacts,
    redact_url,
    run_completeness,
)
from unn_ingest.flows.context import RunContext, StopSignal
from unn_ingest.flows.errors import SERVER_LOST, RunStopped
from unn_ingest.flows.fetch.http import FetchRequest
from unn_ingest.flows.outcome import (
    cancel_requested,
    final_state,
    keep_stopped_message,
    mark_failures,
    quiet_stopped_report,
    stop_when_cancelled,
    tag_run,
)
from unn_ingest.flows.report import RunReport
from unn_ingest.flows.run_logs import sending_logs_to_run
from unn_ingest.flows.runtime import open_run, resolve_settings
from unn_ingest.flows.scheduled import name_scheduled_runs
from unn_ingest.flows.server_watch import (
    hard_stop_on_interrupt,
    server_to_watch,
    stop_when_server_lost,
)
from unn_ingest.flows.steps import catchup, gaps, measure
from unn_ingest.flows.steps.batches import (
    BatchResult,
    chunked,
    plan_pages,
    reading_ahead,
    refetch_stored,
)
from unn_ingest.flows.steps.daily import batches_in_turn
from unn_ingest.flows.steps.link import DUPLICATE_WINDOW, recent_days
from unn_ingest.flows.task_states import state_result, task_result
from unn_ingest.storage import StorageError

log = logging.getLogger(__name__)
T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")
ALL_EDITIONS = ("uk", "en", "ru")


def quote(value: T) -> T:
    """Pass a value to a task as is: Prefect must not walk it looking for futures."""
    return cast(T, prefect_quote(value))


MAX_FOLLOW_ROUNDS = 3  # explicit links may point at editions no feed listed yet
BATCHES_IN_FLIGHT = 3  # workers stay busy while the main process stores
STOPPED_PUBLISH_SECONDS = 5.0  # a stopped run publishes what it did, but never hangs on it
POOL_THRESHOLD = 200  # below this many pages, a process pool costs more than it saves


# The flows are async only so that Prefect does not hold each run's end for its heartbeat
# thread (the sync engine joins it, and it sleeps in whole seconds: up to a second per run).
# Their steps are plain blocking code and run in a thread, the event loop left free.


class PipelineFlow(Flow[P, R]):
    """A flow whose recorded parameters never hold a database password."""

    def serialize_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """Serialise parameters for the API, the database URL without its password.

        The flows' own parameters (text, flags, dates, lists of editions) are encoded here as
        Prefect's FastAPI encoder would encode them: importing FastAPI for it would cost a run
        with nothing new a quarter of its time after the server answers.
        """
        if all(_plain(value) for value in parameters.values()):
            values = {name: _plain_json(value) for name, value in parameters.items()}
        else:
            values = super().serialize_parameters(parameters)
        if isinstance(values.get("db_url"), str):
            values["db_url"] = redact_url(values["db_url"])
        return values


def _plain(value: Any) -> bool:
    """Tell whether a parameter is of the types the flows take (a list: of those types)."""
    if type(value) in (list, tuple):
        return all(_plain(item) for item in value)
    return value is None or type(value) in (str, int, float, bool, date, datetime)


def _plain_json(value: Any) -> Any:
    """Return a `_plain` parameter as JSON holds it (dates in ISO 8601, tuples as lists)."""
    if isinstance(value, list | tuple):
        return [_plain_json(item) for item in value]
    return value.isoformat() if isinstance(value, date) else value


def ingest_run_name() -> str:
    """Name an ingest run by its scheduled start (for a run started by hand: when it was
    created) to the second, in UTC as the UI lists runs, saying so:
    `ingest 2025-11-20 08:40:07 UTC uk,en,ru`. A scheduled run has this name before it starts
    (`name_scheduled_runs`)."""
    return ingest_name(flow_run.scheduled_start_time, flow_run.parameters)


def ingest_name(start: datetime, params: dict[str, Any]) -> str:
    """Return an ingest run's name, given its scheduled start and its parameters."""
    return f"ingest {start.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC {_editions_label(params)}"


def backfill_run_name() -> str:
    """Name a backfill run by its dates and editions: `backfill 2025-11-01..07 uk,en,ru`."""
    params = flow_run.parameters
    start, end = (
        date.fromisoformat(str(params["date_from"])),
        date.fromisoformat(str(params["date_to"])),
    )
    return f"backfill {date_span(start, end)} {_editions_label(params)}"


def date_span(start: date, end: date) -> str:
    """Return a compact date range: 2025-11-01..07, 2025-11-28..12-02, or one date."""
    if start == end:
        return start.isoformat()
    if start.year != end.year:
        return f"{start}..{end}"
    tail = f"{end:%d}" if start.month == end.month else f"{end:%m-%d}"
    return f"{start}..{tail}"


def _editions_label(params: dict[str, Any]) -> str:
    return ",".join(params.get("editions") or ALL_EDITIONS)


async def _ingest(
    editions: list[str] | None = None,
    origin: str | None = None,
    db_url: str | None = None,
    data_dir: str | None = None,
) -> dict[str, object]:
    """Fetch what is new or changed since the last completed run (each edition's feed and
    listing pages back to its watermark, within the catch-up horizon), and store it."""
    settings = resolve_settings(origin=origin, db_url=db_url, data_dir=data_dir)
    scope = run_scope("ingest", settings, editions)
    return await run_steps(settings, scope, ingest_steps, editions)


async def _backfill(
    date_from: date,
    date_to: date,
    editions: list[str] | None = None,
    origin: str | None = None,
    db_url: str | None = None,
    data_dir: str | None = None,
    refetch: bool = False,
) -> dict[str, object]:
    """Store every article of the site's local dates date_from..date_to (inclusive)."""
    settings = resolve_settings(origin=origin, db_url=db_url, data_dir=data_dir)
    scope = replace(run_scope("backfill", settings, editions), date_from=date_from, date_to=date_to)
    return await run_steps(settings, scope, backfill_steps, date_from, date_to, editions, refetch)


def run_scope(flow_name: str, settings: Settings, editions: list[str] | None) -> RunScope:
    """Return what a run covers (the site is filled in once the profile is loaded)."""
    database = redact_url(settings.database_url())
    return RunScope(flow_name, settings.origin or "", database, tuple(editions or ALL_EDITIONS))


ingest = PipelineFlow(
    _ingest,
    name="ingest",
    flow_run_name=ingest_run_name,
    log_prints=False,
    on_cancellation=[keep_stopped_message],
)
backfill = PipelineFlow(
    _backfill,
    name="backfill",
    flow_run_name=backfill_run_name,
    log_prints=False,
    on_cancellation=[keep_stopped_message],
)


@dataclass
class RunWatch:
    """What the UI is shown of a run as it goes: its scope and, for a backfill, its progress."""

    scope: RunScope
    progress: ProgressArtifact | None = None
    batches: Counter[str] = field(default_factory=Counter)  # batches started per day

    def batch_label(self, ctx: RunContext, where: str, batch: Sequence[FetchRequest]) -> str:
        """Name a batch by what it holds: `uk 2025-11-03 #2`."""
        self.batches[where] += 1  # numbered within the day (or "latest")
        return f"{day_label(ctx, where, batch)} #{self.batches[where]}"


def day_label(ctx: RunContext, where: str, requests: Sequence[FetchRequest]) -> str:
    """Name requests by their editions and day: `uk+en 2025-11-03`."""
    keys = (article_key(r.url, ctx.profile) for r in requests)
    editions = sorted({k.edition for k in keys if k is not None}) or ["?"]
    return f"{'+'.join(editions)} {where}"


async def run_steps(
    settings: Settings,
    scope: RunScope,
    steps: Callable[..., dict[str, object] | None],
    *args: object,
) -> dict[str, object]:
    """Open a run and call `steps(ctx, watch, *args)` in a thread whose tasks share one client;
    what the steps return is added to the run's summary.

    (Without a client in the context, Prefect makes one per task run, with a fresh TLS
    context each time: ~20 ms of CPU per task.) When the flow is cancelled (Ctrl-C, or a
    worker's SIGTERM for a flow run cancelled in Prefect), the steps are told to stop and are
    waited for while they clean up; what the run did is published either way. The flow ends
    in the state `final_state` gives: Cancelled when it was cancelled in Prefect.
    """
    stop = StopSignal()
    server = server_to_watch(settings.data_dir)  # None: no server configured

    def call() -> State[Any]:
        with (
            SyncClientContext.get_or_create(),
            sending_logs_to_run(),
            open_run(settings, stop) as ctx,
        ):
            if server is not None:
                server.watch_run(ctx.report)
            watch = RunWatch(replace(scope, site=ctx.profile.origin))
            start_run(watch.scope)
            try:
                extra = steps(ctx, watch, *args)
            except RunStopped:
                gone = server is not None and server.gone()  # no artifacts to publish then
                return end_run(ctx, watch, stopped=SERVER_LOST if gone else stop.reason or True)
            return end_run(ctx, watch, extra=extra)

    # A worker cancels a run with SIGTERM, which Prefect raises as TerminationSignal in the
    # event loop's `select`, outside any task: `asyncio.run` then cancels every task as it
    # shuts down. So the steps run in a future, not a task, to be waited for even then.
    loop = asyncio.get_running_loop()
    work = loop.run_in_executor(None, contextvars.copy_context().run, call)
    watchers = [asyncio.ensure_future(stop_when_cancelled(stop))]  # a run started in a terminal
    if server is not None:  # a server that goes away stops the run instead of hanging it
        watchers.append(asyncio.ensure_future(stop_when_server_lost(stop, server)))
    restore_interrupt = hard_stop_on_interrupt()
    try:
        state: State[Any] | None = await asyncio.shield(work)
    except (asyncio.CancelledError, TerminationSignal):
        state = await stop_and_wait(work, stop)
        if server is not None and await asyncio.to_thread(server.gone):
            server.end()  # a Ctrl-C while the server is gone (found so or not yet)
        if state is None or not await asyncio.to_thread(cancel_requested):
            raise  # Ctrl-C (the CLI says how to resume), or a SIGTERM Prefect did not send
        quiet_stopped_report(loop)
    finally:
        for watcher in watchers:
            watcher.cancel()
        restore_interrupt()
    if server is not None and server.lost():
        server.end()
    # Prefect ends the run in this state and hands its data to a direct caller: the summary,
    # or (a Failed or Cancelled run) raises the RunFailedError or RunStopped it holds.
    return cast(dict[str, object], state)


async def stop_and_wait(work: asyncio.Future[State[Any]], stop: StopSignal) -> State[Any] | None:
    """Tell the steps to stop and wait for them; return the run's state (None if they failed)."""
    stop.set()
    try:
        return await asyncio.shield(work)
    except Exception:
        return None


def start_run(scope: RunScope) -> None:
    """Tag the run by flow and editions, and log what it covers."""
    tag_run([scope.flow, *(f"edition:{e}" for e in scope.editions)])
    if scope.flow == "ingest":  # the flow a deployment schedules
        name_scheduled_runs(ingest_name)
    log.info("%s started: %s", scope.flow, re.sub(r"\*\*|`", "", scope.describe()))


def end_run(
    ctx: RunContext,
    watch: RunWatch,
    stopped: bool | str = False,  # or why it was stopped ("cancelled in Prefect")
    extra: dict[str, object] | None = None,
) -> State[Any]:
    """Publish what the run did, log its summary and mark failures; return its final state."""
    report, scope = ctx.report, watch.scope

    drifted: dict[str, object] = {}
    complete = run_completeness(ctx)

    def publish() -> None:
        if watch.progress is not None:
            watch.progress.finish()
        note = stopped_note(report) if stopped else ""
        publish_artifacts(report, scope, note=note, completeness=complete)
        drifted.update(drift.publish_drift(report.drift, ctx.profile, scope.flow, log))

    if stopped == SERVER_LOST:
        log.info("the run's artifacts were not published: the Prefect server is gone")
    elif stopped:  # Ctrl-C may have stopped a temporary Prefect server too: try, briefly
        within_seconds(publish, STOPPED_PUBLISH_SECONDS)
    else:
        publish()
    log.info(
        "%s %s: %d discovered, %d new, %d updated, %d unchanged, %d linked, %d failed",
        scope.flow,
        "stopped" if stopped else "finished",
        report.total("discovered"),
        report.total("new"),
        report.total("updated"),
        report.total("unchanged"),
        report.total("linked"),
        len(report.failures),
    )
    if not stopped:
        mark_failures(report, scope.flow)
    debt = {"settled": report.link_debt_settled, "waiting": waiting_for_linking(ctx)}
    sections = {"drift": drifted, "completeness": complete, "link_debt": debt, **(extra or {})}
    return final_state(report, scope.site, stopped, sections)


def stopped_note(report: RunReport) -> str:
    """Say, in a stopped run's artifacts, what it left for the next run (not failures)."""
    left = len(report.not_fetched)
    return f" (stopped before the end; {left} pages not fetched, left for the next run)"


def waiting_for_linking(ctx: RunContext) -> int | None:
    """Return how many stored articles wait for linking (None: the database cannot say)."""
    try:
        return ctx.store.link_debt_count()
    except StorageError:
        return None


def within_seconds(call: Callable[[], None], seconds: float) -> None:
    """Run `call` (in this run's context) in a daemon thread; wait for it at most `seconds`."""
    context = contextvars.copy_context()

    def attempt() -> None:  # best effort: the server may be gone too, and no traceback shows
        try:
            call()
        except Exception as error:
            log.warning("the stopped run's artifacts were not published: %s", error)

    thread = threading.Thread(target=context.run, args=(attempt,), name="publish", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        log.warning("the stopped run's artifacts were not published within %.0f s", seconds)


def ingest_steps(ctx: RunContext, watch: RunWatch, editions: list[str] | None) -> None:
    """Run the steps of `ingest` (inside its flow run): finish the linking earlier runs left
    for recent days (link debt), catch up each edition (feed, then listing pages back to its
    watermark), fetch and store what is due, link, then settle the catch-up (watermarks, gaps)
    and start a backfill over a gap when configured to."""
    recent = recent_days(ctx)
    ctx.report.link_debt_settled += tasks.settle_link_debt(quote(ctx), "recent", *recent)
    chosen = editions or list(ctx.profile.edition_codes)
    caught = [task_result(r) for r in [tasks.catch_up.submit(quote(ctx), ed) for ed in chosen]]
    items = [item for c in caught for item in c.items]
    requests = tasks.select_requests(quote(ctx), quote(items), True, chosen)
    stored = fetch_and_store(ctx, requests, watch, "latest")
    tasks.link_by_content(quote(ctx), quote(stored), "latest")
    catchup.settle(ctx, caught)  # the watermarks move once what they cover is stored
    measure.measure_days(ctx)
    gaps.start_backfills(ctx, [c.gap for c in caught if c.gap is not None])


def backfill_steps(
    ctx: RunContext,
    watch: RunWatch,
    date_from: date,
    date_to: date,
    editions: list[str] | None,
    refetch: bool,
) -> None:
    """Run the steps of `backfill` (inside its flow run)."""
    if ctx.executor is not None:
        ctx.executor.warm()  # a backfill is large: start the workers while listings are read
    where = date_span(date_from, date_to)
    ctx.report.link_debt_settled += tasks.settle_link_debt(quote(ctx), where, date_from, date_to)
    items, requests = discover_range(ctx, watch, date_from, date_to, editions, refetch)
    ctx.use_executor = ctx.executor is not None and len(requests) >= POOL_THRESHOLD
    days = split_by_day(ctx, items, requests)
    batches = (batch for day in days.values() for batch in chunked(day, ctx.batch_size))
    recent: deque[Sequence[int]] = deque(maxlen=DUPLICATE_WINDOW.days)
    with reading_ahead(ctx, batches):  # workers go on across batch and day boundaries
        for day, day_requests in days.items():
            ctx.stop.check()
            where = day.isoformat() if day != date.min else "undated"
            # One task: the day's batches, then its content links (a window of days around it).
            store = partial(fetch_and_store, ctx, watch=watch, where=where, in_turn=True)
            label = day_label(ctx, where, day_requests)
            day_run = tasks.process_day(
                quote(ctx), quote(day_requests), quote(store), label, return_state=True
            )
            stored = cast(list[int], state_result(day_run))  # Prefect unwraps the state
            ctx.stop.check()  # stopped during the day: what was fetched is stored
            # Memory stays bounded however long the range, and the days the next day's window
            # reaches into keep their features and facts (recomputing them cost a third of it).
            recent.append(stored)
            ctx.forget_all_but(i for ids in recent for i in ids)
    measure.tally_missing(ctx, items)
    measure.measure_days(ctx)
    gaps.fill_after_backfill(ctx, date_from, date_to, editions or list(ctx.profile.edition_codes))


def discover_range(
    ctx: RunContext,
    watch: RunWatch,
    date_from: date,
    date_to: date,
    editions: list[str] | None,
    refetch: bool,
) -> tuple[list[DiscoveredItem], list[FetchRequest]]:
    """Walk each edition's listings over the dates, select what to fetch, start the progress
    artifact; return the items and the requests."""
    chosen = editions or list(ctx.profile.edition_codes)
    walks = [tasks.discover_range.submit(quote(ctx), ed, date_from, date_to) for ed in chosen]
    items = [item for walk in walks for item in task_result(walk)]
    requests = tasks.select_requests(quote(ctx), quote(items), refetch, chosen)
    if refetch:  # every stored article of the range, however old (not only the recent ones)
        requests += refetch_stored(ctx, items, requests)
    watch.progress = ProgressArtifact(watch.scope)
    watch.progress.start(len(requests))
    return items, requests


def fetch_and_store(
    ctx: RunContext,
    requests: Sequence[FetchRequest],
    watch: RunWatch | None = None,
    where: str = "latest",
    in_turn: bool = False,
) -> list[int]:
    """Process requests in batches, then follow explicit links to editions not yet stored.

    Several batches are in flight at once, each a task, so workers fetch and analyse while
    this process stores and links; `in_turn` (inside a backfill's day task) processes them one
    after another, the workers reading ahead.
    """
    if len(requests) >= POOL_THRESHOLD and ctx.executor is not None:
        ctx.executor.warm()
        ctx.use_executor = True
    watch = watch or RunWatch(RunScope("run", ctx.profile.origin, "", ()))
    stored: list[int] = []
    seen = {r.url for r in requests}
    pending = list(requests)
    for round_ in range(MAX_FOLLOW_ROUNDS + 1):
        follow: list[FetchRequest] = []
        label = where if round_ == 0 else f"{where} follow-up"
        runs = (
            batches_in_turn(ctx, pending) if in_turn else _run_batches(ctx, pending, watch, label)
        )
        for done, result in runs:
            stored += result.article_ids
            follow += [r for r in result.follow_up if r.url not in seen]
            seen.update(r.url for r in result.follow_up)
            if watch.progress is not None:
                watch.progress.advance(done)
        if not follow:
            break
        plan_pages(ctx, len(follow))
        if watch.progress is not None:
            watch.progress.advance(0, more=len(follow))
        pending = follow
    return stored


def _run_batches(
    ctx: RunContext, requests: Sequence[FetchRequest], watch: RunWatch, where: str
) -> Iterator[tuple[int, BatchResult]]:
    """Yield (batch size, result) as batches finish, a few of them in flight at once."""
    in_flight: deque[tuple[int, PrefectFuture[State[BatchResult]]]] = deque()
    try:
        for batch in chunked(requests, ctx.batch_size):
            ctx.stop.check()
            label = watch.batch_label(ctx, where, batch)
            future = tasks.process_batch.submit(quote(ctx), quote(batch), label)
            in_flight.append((len(batch), future))
            if len(in_flight) >= BATCHES_IN_FLIGHT:
                size, first = in_flight.popleft()
                yield size, task_result(first)
        while in_flight:
            size, first = in_flight.popleft()
            yield size, task_result(first)
    finally:
        for _, future in in_flight:  # a stopped run: the batches in flight store what they fetched
            future.wait()


def split_by_day(
    ctx: RunContext, items: Sequence[DiscoveredItem], requests: Sequence[FetchRequest]
) -> dict[date, list[FetchRequest]]:
    """Group requests by the site-local publish date of their item (newest day first)."""
    zone = ctx.zone()
    day_of = {i.url: i.published_at.astimezone(zone).date() for i in items if i.published_at}
    days: dict[date, list[FetchRequest]] = defaultdict(list)
    for request in requests:
        days[day_of.get(request.url, date.min)].append(request)
    return dict(sorted(days.items(), reverse=True))
