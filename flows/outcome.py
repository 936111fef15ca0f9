"""How a flow run ends in Prefect: its state, its tags and the event alerts listen to.

- Nothing discovered (the site could not be reached, or showed nothing): the run is Failed,
  and a direct caller (the CLI) gets `RunFailedError`, one line saying what to do.
- Otherwise the run is Completed with the message "completed: N new, M updated, F failed";
  when some pages failed, it has the tag `has-failures`, and a `unn-ingest.run.failures-high`
  event when the failed share is at or above `UNN_INGEST_ALERT_FAILURE_SHARE` (default 0.1).
- A catch-up left a gap (a pause longer than its horizon): Completed with the message
  "completed with a gap (N new, M updated, F failed): <edition> <span> UTC; fill it with:
  unn-ingest backfill …".
- Stopped before the end (cancelled in Prefect): the run is Cancelled, saying what it stored;
  a direct caller gets `RunStopped`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import ssl
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prefect import State
from prefect.states import Cancelled, Completed, Failed

from unn_ingest.flows.errors import CANCELLED_IN_PREFECT, IngestError, RunStopped
from unn_ingest.flows.freshness import gap_message
from unn_ingest.flows.report import RunReport

if TYPE_CHECKING:
    from unn_ingest.flows.context import StopSignal

log = logging.getLogger(__name__)

FAILURE_TAG = "has-failures"
FAILURES_HIGH_EVENT = "unn-ingest.run.failures-high"
FAILURE_SHARE_SETTING = "UNN_INGEST_ALERT_FAILURE_SHARE"
CANCEL_POLL_SECONDS = 5.0  # how often a run asks the server whether it was cancelled


class RunFailedError(IngestError):
    """The run could not do its job at all (the site unreachable, nothing discovered)."""


def final_state(
    report: RunReport,
    site: str,
    stopped: bool | str = False,
    extra: dict[str, object] | None = None,
) -> State[Any]:
    """Return the state a run ends in, given what its report holds (and `extra` sections of
    its summary, such as the drift alarm's)."""
    summary = report.summary() | (extra or {})
    failed = len(report.failures)  # the summary's total "failed" (robots.txt counted once)
    if stopped:  # True, or why: "cancelled in Prefect"
        why = f"{stopped}: " if isinstance(stopped, str) else ""
        message = (
            f"{why}{STOPPED_MARK}: {report.total('new')} new and "
            f"{report.total('updated')} updated articles stored"
            f"{_not_fetched(report)}; run it again to fetch the rest"
        )
        return Cancelled(message=message, data=RunStopped(message))
    if report.total("discovered") == 0 and failed:
        # Nothing found *because* the site failed (unreachable, refusing, robots.txt down):
        # a site that answered and listed nothing for the range is a note, not a failure.
        message = (
            f"nothing could be discovered at {site} ({failed} failures, first: "
            f"{report.failures[0].reason}); check that the site is up and --origin is right, "
            "then run it again"
        )
        return Failed(message=message, data=RunFailedError(message))
    # What the run stored, readable at a glance in the UI's lists of runs.
    counts = report.stored_counts()
    message = f"completed: {counts}"
    if report.gaps:  # never silent: the state names the span and the command that fills it
        message = gap_message(report.gaps, counts)
    if report.unread_pages:  # the range is not covered: a re-run fills the gap
        message += f"; incomplete: {len(report.unread_pages)} listing pages could not be read"
    return Completed(message=message, data=summary)


def _not_fetched(report: RunReport) -> str:
    count = len(report.not_fetched)
    return f", {count} {'page' if count == 1 else 'pages'} not fetched" if count else ""


def cancel_requested(deployments_only: bool = True) -> bool:
    """Tell whether the current flow run was cancelled in Prefect (the UI's Cancel, the API,
    `prefect flow-run cancel`): the server shows it Cancelling (and, unless told otherwise,
    it is a deployment's run, which its worker stops with SIGTERM)."""
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    run = context.flow_run if context is not None else None
    if run is None or (deployments_only and run.deployment_id is None):
        return False
    try:
        with get_client({"verify": api_tls_context()}, sync_client=True) as client:
            state = client.read_flow_run(run.id).state
    except Exception as exc:
        log.info("could not read the flow run's state: %s", exc)  # server_watch says more
        return False
    return state is not None and (state.is_cancelling() or state.is_cancelled())


def api_tls_context() -> ssl.SSLContext:
    """Return the TLS context Prefect's client would build for the API, built once.

    `get_client()` builds one per client, loading the CA bundle (25 ms of CPU), unless it is
    handed one; a run asks the server every few seconds whether it was cancelled.
    """
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_API_TLS_INSECURE_SKIP_VERIFY

    return _tls_context(
        bool(PREFECT_API_TLS_INSECURE_SKIP_VERIFY.value()), PREFECT_API_SSL_CERT_FILE.value()
    )


@functools.cache
def _tls_context(insecure: bool, cert_file: str | None) -> ssl.SSLContext:
    """Build the context as Prefect's client does (`PrefectClient.__init__`)."""
    import certifi

    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=cert_file or certifi.where())


async def stop_when_cancelled(stop: StopSignal, every: float = CANCEL_POLL_SECONDS) -> None:
    """Stop the run (`stop`) once it is cancelled in Prefect.

    A deployment's run is also stopped by its worker's SIGTERM; a run started in a terminal
    (`unn-ingest backfill`) has no worker to signal it, so the run asks the server itself,
    every few seconds, and ends Cancelled like a deployment's run.
    """
    while not stop.is_set():
        await asyncio.sleep(every)
        if not stop.is_set() and await asyncio.to_thread(cancel_requested, False):
            log.warning("the flow run was cancelled in Prefect: stopping")
            stop.set(CANCELLED_IN_PREFECT)
            return


STOPPED_MARK = "stopped before the end"  # in every stopped run's own message
KEEP_MESSAGE_SECONDS = 30.0  # how long a worker waits to put the run's own message back


def keep_stopped_message(flow: Any, flow_run: Any, state: State[Any]) -> None:
    """An `on_cancellation` hook: keep the run's own message ("stopped before the end: N new…")
    as the one the UI shows once a worker has cancelled it.

    A worker (or `serve`) cancels a run by signalling its process; the run publishes what it
    did and ends Cancelled with its own message; the worker then runs this hook and sets the
    run Cancelled once more, with Prefect's "Flow run was cancelled successfully.". So the hook
    waits, in a thread of the worker, for that last state and puts the run's message back.
    """
    run_id = flow_run.id
    threading.Thread(target=restore_stopped_message, args=(run_id,), daemon=True).start()


def restore_stopped_message(run_id: Any, seconds: float = KEEP_MESSAGE_SECONDS) -> bool:
    """Wait for a state set over the run's own Cancelled one, and set the run's message back;
    tell whether it did."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + seconds
    try:
        with get_client(sync_client=True) as client:
            while time.monotonic() < deadline:
                message = overwritten_message(client.read_flow_run_states(run_id))
                if message is not None:
                    client.set_flow_run_state(run_id, Cancelled(message=message), force=True)
                    return True
                time.sleep(0.5)
    except Exception as exc:  # the message helps to read the UI; it never fails anything
        log.warning("could not keep the cancelled run's own message: %s", exc)
    return False


def overwritten_message(states: Iterable[State[Any]]) -> str | None:
    """Return the run's own stopped message if a later Cancelled state replaced it, else None."""
    ordered = sorted(states, key=lambda s: s.timestamp)
    ours = [s.message for s in ordered if s.is_cancelled() and STOPPED_MARK in (s.message or "")]
    last = ordered[-1] if ordered else None
    if (
        ours
        and last is not None
        and last.is_cancelled()
        and STOPPED_MARK not in (last.message or "")
    ):
        return ours[-1]
    return None


def quiet_stopped_report(loop: asyncio.AbstractEventLoop) -> None:
    """Keep asyncio from printing a traceback for the run's end when the run was cancelled.

    Prefect's SIGTERM handler raises in the event loop's `select`, outside the run's task, so
    `asyncio.run` cancels that task while it shuts down; the run then ends Cancelled, Prefect
    raises the `RunStopped` its state holds, and asyncio would report it, traceback and all,
    as "unhandled exception during asyncio.run() shutdown". The run's state and logs say it.
    """
    previous = loop.get_exception_handler()

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), RunStopped):
            log.info("the flow run was cancelled; its process exits")
        elif previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handle)


def tag_run(tags: Iterable[str]) -> None:
    """Add tags to the current flow run (keeping the ones it has, e.g. a deployment's)."""
    from prefect.client.orchestration import get_client
    from prefect.runtime import flow_run

    try:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(flow_run.id)
            merged = list(dict.fromkeys([*run.tags, *tags]))
            client.update_flow_run(run.id, tags=merged)
    except Exception as exc:  # tags help to find runs; they never fail one
        log.warning("could not tag the flow run: %s", exc)


def mark_failures(report: RunReport, flow_name: str) -> None:
    """Tag a run that had failures, and emit the event for a high failed share."""
    if not report.failures or not report.total("discovered"):
        return  # nothing discovered: the run is Failed, which alerts on its own
    tag_run([FAILURE_TAG])
    share = report.failure_share()
    if share >= failure_share_threshold():
        emit_failures_high(flow_name, share, len(report.failures))


def failure_share_threshold() -> float:
    """Return the failed share from which a run emits the failures-high event."""
    return float(os.environ.get(FAILURE_SHARE_SETTING, "0.1"))


def emit_failures_high(flow_name: str, share: float, failed: int) -> None:
    """Emit the event the failure-share automation listens to, about the current flow run."""
    from prefect.events import emit_event
    from prefect.runtime import flow_run

    emit_event(
        event=FAILURES_HIGH_EVENT,
        resource={
            "prefect.resource.id": f"prefect.flow-run.{flow_run.id}",
            "prefect.resource.name": str(flow_run.name),
        },
        payload={"flow": flow_name, "failure_share": round(share, 4), "failed": failed},
    )
    log.warning(
        "%.0f %% of the pages failed (%d): event %s", 100 * share, failed, FAILURES_HIGH_EVENT
    )
