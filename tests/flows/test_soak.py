"""Soak: every fault of the replica, 10% of responses in all, 500 stories in three editions.

After at most three backfills every article is stored exactly once, no run crashed, and each
fetch failure a run reported was listed by `unn-ingest failures` right after it. Retry delays
are zero here: the runs stand for runs spaced further apart than the delays (live, ten minutes
apart against a five-minute first delay; permanent failures wait the longest delay, a day).
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from typer.testing import CliRunner

from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.flows.ingest import backfill
from unn_ingest.replica.faults import FAULT_NAMES, FaultPlan, applies
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

KYIV = ZoneInfo("Europe/Kyiv")
pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]
_register_subcommands()

SHARE = 0.10  # of the responses of each kind (pages, feeds), spread over every fault


def soak_plan() -> FaultPlan:
    """Every fault at an equal part of 10% of the responses it can hit."""
    rates: dict[str, float] = {}
    for name in FAULT_NAMES:
        for kind in ("article", "feed"):
            if applies(name, kind):
                hitting = [n for n in FAULT_NAMES if applies(n, kind)]
                rates[name] = min(rates.get(name, 1.0), SHARE / len(hitting))
    return FaultPlan(rates, "soak", latency_ms=200, latency_spread=True)


def listed_failures(data_dir: Path) -> set[str]:
    result = CliRunner().invoke(app, ["failures", "--json", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    return {row["url"] for row in json.loads(result.output)}


def test_soak_every_fault_at_ten_percent(
    fast_site_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNN_INGEST_RETRY_DELAY_SECONDS", "0")
    monkeypatch.setenv("UNN_INGEST_RETRY_DELAY_CAP_SECONDS", "0")
    database = f"sqlite:///{fast_site_settings / 'unn-ingest.sqlite3'}"
    with running_replica(seed=11, generated=500, faults=soak_plan()) as server:
        articles: list[dict[str, Any]] = httpx.get(server.base_url + "/__truth__").json()[
            "articles"
        ]
        first = min(datetime.fromisoformat(a["published_at"]) for a in articles)
        start = first.astimezone(KYIV).date()
        end = server.site.now().astimezone(KYIV).date()
        expected = sorted(a["url"] for a in articles)
        runs = []
        for _ in range(3):
            summary = asyncio.run(
                backfill(start, end, None, server.base_url, None, str(fast_site_settings))
            )
            runs.append(summary)
            failures: list[dict[str, Any]] = summary["failures"]  # type: ignore[assignment]
            fetch_failures = {f["url"] for f in failures if f["stage"] in ("fetch", "robots")}
            assert fetch_failures <= listed_failures(fast_site_settings)
            with Store.open(database) as store:
                stored = sorted(r["url"] for r in store.iter_export(None, None))
            if stored == expected:
                break
        faults = httpx.get(server.base_url + "/__stats__").json()["faults"]
    missing = sorted(set(expected) - set(stored))
    with Store.open(database) as store:
        states = store.fetch_states(missing)
    assert not missing, f"{len(missing)} missing after 3 runs: " + "; ".join(
        f"{u} {states.get(u)}" for u in missing
    )
    assert set(faults) == set(FAULT_NAMES), "every fault was served"
    print(f"soak: {len(expected)} articles, {len(runs)} run(s), faults served: {faults}")
