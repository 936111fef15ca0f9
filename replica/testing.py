"""Helpers for tests and benchmarks: a running replica as a context manager or a fixture.

The lead registers the fixture in tests/conftest.py, e.g.
`replica_server = pytest.fixture(scope="session")(replica.testing.replica_server_fixture)`.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from unn_ingest.replica.faults import FaultPlan
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.site import ReplicaSite

if TYPE_CHECKING:
    from unn_ingest.replica.catalogue import Catalogue

DEFAULT_GENERATED = 300


@lru_cache(maxsize=4)
def cached_catalogue(
    seed: int = 1, generated: int = DEFAULT_GENERATED, start: datetime | None = None
) -> Catalogue:
    """Build (once per arguments) the catalogue; it is immutable, so sites may share it."""
    from unn_ingest.replica.catalogue import build_catalogue

    return build_catalogue(seed=seed, generated=generated, start=start)


def make_site(
    seed: int = 1,
    generated: int = DEFAULT_GENERATED,
    faults: str | FaultPlan | None = None,
    start: datetime | None = None,
    layout: str = "a",
) -> ReplicaSite:
    """Return a fresh site (own clock, stats and faults) over the cached catalogue."""
    plan = FaultPlan.from_profile(faults) if isinstance(faults, str) else faults
    return ReplicaSite(cached_catalogue(seed, generated, start), plan, layout)


@contextmanager
def running_replica(
    seed: int = 1,
    generated: int = DEFAULT_GENERATED,
    faults: str | FaultPlan | None = None,
    start: datetime | None = None,
    layout: str = "a",
) -> Iterator[ReplicaServer]:
    """Serve a fresh replica on a free loopback port; yield the server (see `.base_url`)."""
    with ReplicaServer(make_site(seed, generated, faults, start, layout)) as server:
        yield server


def replica_server_fixture() -> Generator[ReplicaServer, None, None]:
    """Yield a running replica (seed 1, default size, no faults): a pytest fixture body."""
    with running_replica() as server:
        yield server


def replica_server_b_fixture() -> Generator[ReplicaServer, None, None]:
    """Yield a running replica in layout b (seed 1, default size, no faults): a fixture body."""
    with running_replica(layout="b") as server:
        yield server
