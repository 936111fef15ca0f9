"""The whole pipeline on a replica serving the NTREX real-text stories (needs the shared data)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from unn_ingest.flows.evaluation.datasets import data_dir
from unn_ingest.flows.evaluation.linking import pairwise
from unn_ingest.flows.ingest import backfill
from unn_ingest.replica.catalogue import build_catalogue
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.site import ReplicaSite
from unn_ingest.replica.stories.ntrex import FOLDER
from unn_ingest.storage import Store

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow, pytest.mark.needs_data]

KYIV = ZoneInfo("Europe/Kyiv")


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    catalogue = build_catalogue(seed=1, generated=0, ntrex=data_dir() / FOLDER)
    with ReplicaServer(ReplicaSite(catalogue)) as server:
        yield server


def test_ntrex_stories_are_stored_linked_and_deduplicated(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    truth: list[dict[str, Any]] = httpx.get(replica.base_url + "/__truth__").json()["articles"]
    ntrex = [a for a in truth if a["story_id"].startswith("n")]
    days = [datetime.fromisoformat(a["published_at"]).astimezone(KYIV).date() for a in ntrex]
    summary: dict[str, Any] = asyncio.run(
        backfill(min(days), max(days), None, replica.base_url, None, str(fast_site_settings))
    )
    assert summary["editions"]["total"]["failed"] == 0
    with Store.open(f"sqlite:///{fast_site_settings / 'unn-ingest.sqlite3'}") as store:
        rows = {r["url"]: r for r in store.iter_export(None, None)}
    assert {a["url"] for a in ntrex} <= set(rows)
    ids = {a["url"]: n for n, a in enumerate(ntrex)}
    predicted = {ids[url]: rows[url]["story_id"] for url in ids}
    scores = pairwise(predicted, {ids[a["url"]]: a["story_id"] for a in ntrex}, set(ids.values()))
    assert scores["precision"] >= 0.995 and scores["recall"] >= 0.98, scores
    copies = {a["url"]: a["republication_of"] for a in ntrex if a["republication_of"]}
    marked = {url: rows[url]["duplicate_of"] for url in ids if rows[url]["duplicate_of"]}
    assert copies and marked == copies  # all found, in whatever order the backfill met them
