"""The local replica of unn.ua: a loopback web server standing in for the site in tests, the
demo, benchmarks and `eval`. Its web server needs the `replica` extra
(`pip install 'unn-ingest[replica]'`); the catalogue and rendering need nothing extra."""

from __future__ import annotations

from importlib.util import find_spec

EXTRA_MODULES = ("starlette", "uvicorn", "httptools", "uvloop")


class ReplicaExtraMissingError(RuntimeError):
    """The `replica` extra (the replica's web server and its fast HTTP stack) is not installed."""


def require_extra() -> None:
    """Raise ReplicaExtraMissingError, naming the install command, unless the extra is there."""
    missing = [name for name in EXTRA_MODULES if find_spec(name) is None]
    if missing:
        raise ReplicaExtraMissingError(
            f"the local replica needs the 'replica' extra (missing: {', '.join(missing)}); "
            "install it with: pip install 'unn-ingest[replica]'"
        )
