"""Prefect's own failures (its API unreachable, an ephemeral server that does not start, an
object that does not exist), told as one line with what to do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from unn_ingest.flows.errors import IngestError

EPHEMERAL_TIMEOUT_SETTING = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"


class OrchestratorError(IngestError):
    """Prefect (its API or its temporary local server) failed, not the pipeline."""


@contextmanager
def prefect_errors() -> Iterator[None]:
    """Turn Prefect's own failures into an `OrchestratorError` whose message says what to do."""
    from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError

    try:
        yield
    except ObjectNotFound as exc:
        raise OrchestratorError(f"not found on the Prefect server: {_first_line(exc)}") from None
    except PrefectHTTPStatusError as exc:
        raise OrchestratorError(f"the Prefect server refused: {_first_line(exc)}") from None
    except RuntimeError as exc:
        message = describe_runtime_error(exc)
        if message is None:
            raise
        raise OrchestratorError(message) from None


def describe_runtime_error(exc: RuntimeError) -> str | None:
    """Return the one-line advice for a Prefect RuntimeError we know, else None."""
    text = str(exc)
    if "ephemeral" in text.lower():
        return (
            "Prefect's temporary local server did not start in time; run the command again, "
            f"raise {EPHEMERAL_TIMEOUT_SETTING}, or point PREFECT_API_URL at a running server"
        )
    if "Failed to reach API" in text:
        return (
            f"{_first_line(exc)}: start that Prefect server (`prefect server start`), fix "
            "PREFECT_API_URL, or unset it to use a temporary local server"
        )
    return None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
