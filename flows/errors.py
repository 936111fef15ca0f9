"""The pipeline's errors. The CLI turns any of them into one line and a non-zero exit.

IngestError
 ├── ConfigError          bad settings or profile
 ├── FetchError           a request that did not give a usable response
 │    ├── TransientFetchError   worth retrying (timeouts, resets, 429, 5xx)
 │    └── PermanentFetchError   not worth retrying (404, disallowed host, oversized)
 ├── OfflineError         the origin cannot be reached at all
 └── RunStopped           the run was asked to stop (Ctrl-C, a cancelled flow run)
"""

from __future__ import annotations


class IngestError(Exception):
    """Base of every error the pipeline reports to a user."""


class ConfigError(IngestError):
    """Settings or the site profile are invalid."""


class FetchError(IngestError):
    """A request failed."""


class TransientFetchError(FetchError):
    """A request failed in a way that may succeed later."""


class PermanentFetchError(FetchError):
    """A request failed in a way that will not change on retry."""


class OfflineError(IngestError):
    """The origin is unreachable (no network, DNS failure)."""


class RunStopped(IngestError):
    """The run was asked to stop; what it stored stays stored, and a re-run resumes."""
