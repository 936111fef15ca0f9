"""The site-wide limit: runs take turns at the site through a Prefect global concurrency limit."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency

from unn_ingest.flows.errors import ConfigError
from unn_ingest.flows.ingest import ingest
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

pytestmark = pytest.mark.usefixtures("prefect_harness")


Summary = dict[str, Any]  # a flow's JSON-ready summary


def make_limit() -> str:
    name = f"unn-site-{uuid.uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
    return name


def stored_count(data_dir: Path) -> int:
    with Store.open(f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}") as store:
        return sum(store.counts()["articles"].values())


def test_a_missing_limit_is_a_clear_configuration_error(
    fast_site_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNN_INGEST_SITE_LIMIT", "no-such-limit")
    with pytest.raises(ConfigError, match="prefect gcl create no-such-limit"):
        asyncio.run(ingest(None, "http://127.0.0.1:9", None, str(fast_site_settings)))


def test_a_run_waits_its_turn_while_another_holds_the_site(
    fast_site_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = make_limit()
    monkeypatch.setenv("UNN_INGEST_SITE_LIMIT", name)
    held = threading.Event()
    released_at: list[float] = []

    def other_run() -> None:  # another run holding the site's only slot for a while
        with concurrency(name, occupy=1):
            held.set()
            time.sleep(4)
            released_at.append(time.monotonic())

    with running_replica(seed=9, generated=10) as replica:
        holder = threading.Thread(target=other_run)
        holder.start()
        assert held.wait(30)
        summary: Summary = asyncio.run(
            ingest(None, replica.base_url, None, str(fast_site_settings))
        )
        finished_at = time.monotonic()
        holder.join()
    assert released_at and finished_at > released_at[0]
    assert summary["failures"] == [] and summary["editions"]["total"]["new"] > 0
    assert stored_count(fast_site_settings) == summary["editions"]["total"]["new"]
