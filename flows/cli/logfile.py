"""Where a run's tracebacks go: a log file under the data folder, never the terminal.

A command that fails says so in one `error:` line (options.user_errors). While a run is on,
the terminal still shows each warning as one line, but no traceback and no error record
(Prefect logs a failed task or flow at ERROR with its traceback; the `error:` line says it
once); those go, whole, to `<data dir>/logs/unn-ingest.log`, and to the run's logs in
Prefect when a server records them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "unn-ingest.log"
LOG_BYTES = 5 * 1024 * 1024  # then rotated, three files kept
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
PIPELINE = "unn_ingest"  # the loggers whose warnings the terminal shows


class OneLineOnTerminal(logging.Filter):
    """Keep error records, tracebacks and Prefect's own complaints off a terminal handler;
    the pipeline's warnings stay, one line each."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop error records and other libraries' records; show a warning without its
        traceback."""
        if record.levelno >= logging.ERROR or not record.name.startswith(PIPELINE):
            return False
        # The log file, earlier in line, has written the record whole already.
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


@contextmanager
def tracebacks_to_file(data_dir: Path) -> Iterator[Path | None]:
    """While inside, send WARNING and above with tracebacks to the data folder's log file
    (yielded; None when it cannot be written) and keep them off the terminal's handlers."""
    root = logging.getLogger()
    terminal = [h for logger in _with_handlers() for h in logger.handlers if _is_terminal(h)]
    quiet = OneLineOnTerminal()
    for handler in terminal:
        handler.addFilter(quiet)
    file_handler = _file_handler(data_dir / "logs" / LOG_NAME)
    if file_handler is not None:  # first: it writes a record whole before the terminal's cut
        root.handlers.insert(0, file_handler)
    try:
        yield Path(file_handler.baseFilename) if file_handler is not None else None
    finally:
        for handler in terminal:
            handler.removeFilter(quiet)
        if file_handler is not None:
            root.removeHandler(file_handler)
            with contextlib.suppress(OSError):  # a full disk takes its last lines
                file_handler.close()


def _with_handlers() -> list[logging.Logger]:
    """Return the root logger and every other one with handlers of its own (Prefect's)."""
    others = logging.Logger.manager.loggerDict.values()
    loggers = [logging.getLogger(), *(x for x in others if isinstance(x, logging.Logger))]
    return [x for x in loggers if x.handlers]


def _is_terminal(handler: logging.Handler) -> bool:
    return isinstance(handler, logging.StreamHandler) and not isinstance(
        handler, logging.FileHandler
    )


class _LogFile(RotatingFileHandler):
    """The log file; a full disk must not turn each record into a traceback on stderr."""

    def handleError(self, record: logging.LogRecord) -> None:
        """Drop a record that cannot be written."""


def _file_handler(path: Path) -> RotatingFileHandler | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _LogFile(path, maxBytes=LOG_BYTES, backupCount=3, delay=True)
    except OSError:
        return None  # a data folder that cannot be written: the run says so itself
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler
