"""The pipeline's errors. The CLI turns any of them into one line and a non-zero exit.

A failed request is not an exception: the fetcher gives every URL a `FetchOutcome` carrying
its reason (flows/fetch/http.py), recorded in the run report and the fetch log.

IngestError
 ├── ConfigError          bad settings or profile
 ├── OfflineError         the origin cannot be reached at all
 └── RunStopped           the run was asked to stop (Ctrl-C, a cancelled flow run)
"""

from __future__ import annotations


class IngestError(Exception):
    """Base of every error the pipeline reports to a user."""


class ConfigError(IngestError):
    """Settings or the site profile are invalid."""


class OfflineError(IngestError):
    """The origin is unreachable (no network, DNS failure)."""


class RunStopped(IngestError):
    """The run was asked to stop; what it stored stays stored, and a re-run resumes."""


# How a stopped run's message starts when it was cancelled in Prefect rather than by Ctrl-C.
CANCELLED_IN_PREFECT = "cancelled in Prefect"
# ...and when its Prefect server went away (the CLI then exits 1: a fault, not a stop).
SERVER_LOST = "the Prefect server is unreachable"
RESUME = "what was fetched so far is stored; run the same command to fetch the rest"
INTERRUPTED_MESSAGE = f"interrupted: {RESUME}"
