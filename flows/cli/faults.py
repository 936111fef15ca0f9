"""One line for a resource fault of a run: a full disk, a folder it may not write, the database
gone. The line names what failed and where (a path, the database's host, never a password),
says that what was stored is kept, and what to run next; the traceback is in the log file.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from unn_ingest.config import Settings
from unn_ingest.flows.errors import IngestError

KEPT = "what was stored is kept"
FULL_MARKERS = ("disk is full", "no space left")
DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)


class ResourceFault(IngestError):
    """A run ended because the disk, the folder or the database failed it (one line)."""


@contextmanager
def resource_faults(settings: Settings, log_file: Path | None = None) -> Iterator[None]:
    """Turn a run's storage and file-system errors into one ResourceFault line."""
    from unn_ingest.storage import StorageError
    from unn_ingest.storage.errors import SchemaBehindError, StorageConfigError

    try:
        yield
    except (StorageConfigError, SchemaBehindError):
        raise  # what the user configured: options.user_errors says it (exit 2)
    except StorageError as exc:
        raise ResourceFault(database_line(exc, settings) + _details(log_file)) from None
    except OSError as exc:
        raise ResourceFault(file_line(exc, settings) + _details(log_file)) from None


def database_line(exc: Exception, settings: Settings) -> str:
    """Return the line for a failed database: full, unreachable, or refusing."""
    from unn_ingest.storage import StorageUnavailableError
    from unn_ingest.storage.engine import describe, parse_url

    where = describe(parse_url(settings.database_url()))
    reason = str(exc)
    if any(marker in reason.lower() for marker in FULL_MARKERS):
        return f"no space left for the {where}: {KEPT}; free some space, then run it again"
    if isinstance(exc, StorageUnavailableError):
        return (
            f"the {where} cannot be reached ({reason}); {KEPT}: run the same command again "
            "once it is back"
        )
    return f"the {where} failed ({reason}); {KEPT}: run the same command again"


def file_line(exc: OSError, settings: Settings) -> str:
    """Return the line for a failed file operation: a full disk, a denied write, or other."""
    where = exc.filename or settings.data_dir
    if exc.errno == errno.ENOSPC:
        return (
            f"no space left on the device writing {where}: {KEPT}; free some space, then run "
            "the same command again"
        )
    if exc.errno in DENIED:
        return (
            f"permission denied writing {where}: {KEPT}; make it writable (or choose another "
            "--data-dir), then run the same command again"
        )
    reason = exc.strerror or type(exc).__name__
    return f"{reason}: {where}: {KEPT}; run the same command again once that is fixed"


def _details(log_file: Path | None) -> str:
    return f" (details: {log_file})" if log_file is not None else ""
