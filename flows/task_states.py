"""The state a task run ends in: what its work did, not only that its code returned.

A step records a failed page and goes on, so its task would always end Completed: a run
against a dead site would be a red run over green tasks, and a batch that stored nothing
would be green. Here a task ends

- **Failed** when its work failed as a whole (a batch that stored nothing because every page
  failed; an edition whose feed and listings all failed), with the step's result as its data,
  so that the run goes on (`task_result`) and ends in the state its report gives;
- **Completed with failures** (a Completed state of that name) when some of it failed;
- **Completed** otherwise, its message saying what it did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from prefect import State
from prefect.futures import PrefectFuture
from prefect.states import Completed, Failed

from unn_ingest.flows.context import RunContext
from unn_ingest.flows.steps.batches import BatchResult

T = TypeVar("T")
WITH_FAILURES = "Completed with failures"
DISCOVERY_STAGES = ("feed", "listing")


def batch_state(result: BatchResult) -> State[Any]:
    """Return the state of a `process-batch` task run, given what its batch did."""
    stored = len(result.article_ids)
    message = f"stored {stored} of {result.requested}"
    if result.failed:
        message += f", {result.failed} failed"
    return _state(message, result, failed=result.failed, gave=result.requested - result.failed)


def discovery_state(
    ctx: RunContext,
    edition: str,
    discover: Callable[[], T],
    found: Callable[[T], int] = len,  # type: ignore[assignment]
) -> State[Any]:
    """Run a discovery step of one edition and return its task run's state: Failed when its
    feed and listing pages failed and it found nothing."""
    before = ctx.report.failed_in(edition, DISCOVERY_STAGES)
    result = discover()
    count = found(result)
    failed = ctx.report.failed_in(edition, DISCOVERY_STAGES) - before
    message = f"{count} articles found"
    if failed:
        message += f"; {failed} feed or listing pages failed"
    return _state(message, result, failed=failed, gave=count)


def day_state(ctx: RunContext, requested: int, process: Callable[[], list[int]]) -> State[Any]:
    """Run one day of a backfill and return its task run's state: Failed when it stored
    nothing because its pages failed, "Completed with failures" when some failed."""
    before = len(ctx.report.failures)
    stored = process()
    failed = len(ctx.report.failures) - before
    message = f"stored {len(stored)} of {requested}"
    if failed:
        message += f", {failed} failed"
    return _state(message, stored, failed=failed, gave=len(stored))


def _state(message: str, data: object, failed: int, gave: int) -> State[Any]:
    if failed and not gave:
        return Failed(message=message, data=data)
    if failed:
        return Completed(message=message, data=data, name=WITH_FAILURES)
    return Completed(message=message, data=data)


class _NoStateEcho(logging.Filter):
    """Drop Prefect's "Task run failed with state: Failed(…)" line, which it logs with an empty
    traceback ("NoneType: None") for a task that returned a Failed state: the task's
    "Finished in state Failed(…)" line that follows says the same."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Task run failed with state: ")


def quiet_state_echo() -> None:
    """Install the filter on Prefect's task-run logger (once)."""
    logger = logging.getLogger("prefect.task_runs")
    if not any(isinstance(f, _NoStateEcho) for f in logger.filters):
        logger.addFilter(_NoStateEcho())


def state_result(state: State[T]) -> T:
    """Return what a task called in place returned, also when it ended Failed because its
    work failed; a task that raised raises here too. (`_sync`: inside an async flow Prefect
    would otherwise hand back a coroutine.)"""
    return cast(T, _returned(cast(Any, state).result(raise_on_failure=False, _sync=True)))


def task_result(future: PrefectFuture[State[T]]) -> T:
    """Return a task's result, also when it ended Failed because its work failed (the run
    goes on with what the step returned); a task that raised raises here too."""
    return cast(T, _returned(future.result(raise_on_failure=False)))


def _returned(value: Any) -> Any:
    """Return a task's data; raise what it raised (Prefect hands an exception back as data)."""
    if isinstance(value, BaseException):
        raise value
    return value
