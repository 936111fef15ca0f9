"""Send the pipeline's own log lines (INFO and above) to the flow run's logs in the Prefect UI.

Prefect sends only its own loggers' lines to its API. During a run, `sending_logs_to_run` adds
Prefect's API handler to the `unn_ingest` logger, so lines from the main process and from the
steps thread reach the run (and the task run, when logged inside one). Worker processes have no
Prefect context: `capturing_logs` keeps their lines, which travel back with the batch's result
and are logged again in the main process by `replay_logs`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

PIPELINE_LOGGER = "unn_ingest"
LogLine = tuple[str, int, str]  # (logger name, level, message)


class _RunStamp(logging.Filter):
    """Stamp lines logged outside Prefect's context (helper threads) with the run's id."""

    def __init__(self, flow_run_id: str) -> None:
        super().__init__()
        self.flow_run_id = flow_run_id

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "flow_run_id", None) is None and _outside_any_run():
            record.flow_run_id = self.flow_run_id
        return True


def _outside_any_run() -> bool:
    from prefect.context import FlowRunContext, TaskRunContext

    return FlowRunContext.get() is None and TaskRunContext.get() is None


@contextmanager
def sending_logs_to_run(level: int = logging.INFO) -> Iterator[None]:
    """Send the pipeline's lines at `level` and above to the current flow run's logs."""
    from prefect.logging.handlers import APILogHandler
    from prefect.runtime import flow_run

    logger = logging.getLogger(PIPELINE_LOGGER)
    if any(isinstance(h, APILogHandler) for h in logger.handlers):  # PREFECT_LOGGING_EXTRA_...
        yield
        return
    handler = APILogHandler(level=level)
    handler.addFilter(_RunStamp(str(flow_run.id)))
    previous = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


class _Keep(logging.Handler):
    def __init__(self, lines: list[LogLine]) -> None:
        super().__init__(logging.INFO)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.name, record.levelno, record.getMessage()))


@contextmanager
def capturing_logs() -> Iterator[list[LogLine]]:
    """Keep the pipeline's INFO+ lines logged in this block (in a worker process)."""
    logger = logging.getLogger(PIPELINE_LOGGER)
    lines: list[LogLine] = []
    handler = _Keep(lines)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(min(logging.INFO, logger.getEffectiveLevel()))
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def replay_logs(lines: Sequence[LogLine], where: str = "worker") -> None:
    """Log again, in this process, lines kept in a worker process."""
    for name, level, message in lines:
        logging.getLogger(name).log(level, "[%s] %s", where, message)
