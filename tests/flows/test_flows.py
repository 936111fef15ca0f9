"""The real Prefect flows against the replica, scored against its ground truth."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from prefect.settings import PREFECT_API_URL

from unn_ingest.extractors.scoring import score_corpus, score_page
from unn_ingest.flows.ingest import backfill, ingest
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

pytestmark = pytest.mark.usefixtures("prefect_harness")

Summary = dict[str, Any]  # a flow's JSON-ready summary


KYIV = ZoneInfo("Europe/Kyiv")
GENERATED = 40  # stories besides the hand-written ones: enough for every case, quick to run


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    with running_replica(seed=3, generated=GENERATED) as server:
        yield server


def truth(server: ReplicaServer) -> list[dict[str, Any]]:
    articles: list[dict[str, Any]] = httpx.get(server.base_url + "/__truth__").json()["articles"]
    return articles


def stored_rows(data_dir: Path, url: str | None = None) -> list[dict[str, Any]]:
    with Store.open(url or f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}") as store:
        return list(store.iter_export(None, None))


def full_window(server: ReplicaServer, articles: list[dict[str, Any]]) -> tuple[Any, Any]:
    first = min(datetime.fromisoformat(a["published_at"]) for a in articles)
    return first.astimezone(KYIV).date(), server.site.now().astimezone(KYIV).date()


def run_everything(server: ReplicaServer, data_dir: Path) -> list[dict[str, Any]]:
    articles = truth(server)
    start, end = full_window(server, articles)
    asyncio.run(ingest(None, server.base_url, None, str(data_dir)))
    asyncio.run(backfill(start, end, None, server.base_url, None, str(data_dir)))
    return articles


def test_every_truth_article_is_stored_once_and_right(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    articles = run_everything(replica, fast_site_settings)
    rows = stored_rows(fast_site_settings)
    by_url = defaultdict(list)
    for row in rows:
        by_url[row["url"]].append(row)
    missing = [a["url"] for a in articles if a["url"] not in by_url]
    assert not missing, f"{len(missing)} truth articles not stored, e.g. {missing[:3]}"
    assert all(len(v) == 1 for v in by_url.values())
    assert len(rows) == len(articles)
    wrong_title = wrong_time = wrong_edition = 0
    for article in articles:
        row = by_url[article["url"]][0]
        wrong_edition += row["edition"] != article["edition"]
        wrong_title += row["title"] != article["title"]
        published = datetime.fromisoformat(row["published_at"])
        wrong_time += published != datetime.fromisoformat(article["published_at"])
    assert (wrong_edition, wrong_title, wrong_time) == (0, 0, 0)
    score = score_corpus(
        score_page(by_url[a["url"]][0]["body"], "\n\n".join(a["body"])) for a in articles
    )
    assert score.f1 >= 0.99, score


def test_explicit_links_join_every_edition_of_a_story(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    articles = run_everything(replica, fast_site_settings)
    story_of = {r["url"]: r["story_id"] for r in stored_rows(fast_site_settings)}
    true_groups: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        if a["link_variant"] in ("hreflang", "switcher") and not a["republication_of"]:
            true_groups[a["story_id"]].add(a["url"])
    assert true_groups
    for story_id, urls in true_groups.items():
        assert len({story_of[u] for u in urls}) == 1, f"story {story_id} split: {urls}"
    stored_groups: dict[int, set[str]] = defaultdict(set)
    for url, sid in story_of.items():
        stored_groups[sid].add(url)
    truth_story = {a["url"]: a["story_id"] for a in articles}
    for urls in stored_groups.values():
        assert len({truth_story[u] for u in urls}) == 1, f"wrong merge: {urls}"


def test_content_links_join_editions_that_carry_no_link(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    articles = run_everything(replica, fast_site_settings)
    rows = {r["url"]: r for r in stored_rows(fast_site_settings)}
    unlinked: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        if a["link_variant"] == "home":
            unlinked[a["story_id"]].append(a["url"])
    pairs = [(u, v) for urls in unlinked.values() for u in urls for v in urls if u < v]
    assert len(pairs) >= 10
    joined = [rows[u]["story_id"] == rows[v]["story_id"] for u, v in pairs]
    assert sum(joined) / len(joined) >= 0.95
    assert {rows[u]["link_method"] for u, v in pairs} == {"content"}


def test_second_identical_run_changes_nothing(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    run_everything(replica, fast_site_settings)
    before = stored_rows(fast_site_settings)
    articles = truth(replica)
    start, end = full_window(replica, articles)
    summary: Summary = asyncio.run(
        backfill(start, end, None, replica.base_url, None, str(fast_site_settings))
    )
    totals = summary["editions"]["total"]
    assert (totals["new"], totals["updated"], totals["fetched"]) == (0, 0, 0)
    assert stored_rows(fast_site_settings) == before


def test_a_failing_feed_is_reported_and_the_rest_is_stored(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    replica.site.force_fault("/rss/news_en.xml", "malformed-feed")
    replica.site.force_fault("/en/news", "503")
    summary: Summary = asyncio.run(ingest(None, replica.base_url, None, str(fast_site_settings)))
    failures = summary["failures"]
    assert any(f["url"].endswith("/en/news?page=1") for f in failures), failures
    assert any(f["url"].endswith("/rss/news_en.xml") and f["stage"] == "feed" for f in failures)
    editions = {r["edition"] for r in stored_rows(fast_site_settings)}
    assert {"uk", "ru"} <= editions
    assert summary["editions"]["uk"]["new"] > 0


def test_a_correction_becomes_a_revision_and_keeps_its_story(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    asyncio.run(ingest(None, replica.base_url, None, str(fast_site_settings)))
    before = {r["url"]: r for r in stored_rows(fast_site_settings)}
    replica.site.clock.advance(int(timedelta(hours=12).total_seconds()))
    corrected = [
        a
        for a in truth(replica)
        if a["url"] in before and before[a["url"]]["body"] != "\n\n".join(a["body"])
    ]
    assert corrected, "the replica should correct a stored article within 12 hours"
    summary: Summary = asyncio.run(ingest(None, replica.base_url, None, str(fast_site_settings)))
    assert summary["editions"]["total"]["updated"] >= 1
    after = {r["url"]: r for r in stored_rows(fast_site_settings)}
    for article in corrected:
        row = after[article["url"]]
        assert row["title"] == article["title"]
        assert row["revisions"] >= 1
        assert row["story_id"] == before[article["url"]]["story_id"]


@pytest.mark.postgres
def test_the_same_flows_store_the_same_records_on_postgresql(
    replica: ReplicaServer, fast_site_settings: Path, pg_schema_url: str
) -> None:
    articles = truth(replica)
    start, end = full_window(replica, articles)
    first: Summary = asyncio.run(backfill(start, end, None, replica.base_url, pg_schema_url, None))
    assert first["editions"]["total"]["new"] == len(articles)
    again: Summary = asyncio.run(backfill(start, end, None, replica.base_url, pg_schema_url, None))
    assert again["editions"]["total"]["new"] == 0
    rows = stored_rows(fast_site_settings, pg_schema_url)
    assert sorted(r["url"] for r in rows) == sorted(a["url"] for a in articles)
    assert len({r["story_id"] for r in rows}) == len({a["story_id"] for a in articles})


def test_an_old_day_is_found_without_walking_every_listing_page(fast_site_settings: Path) -> None:
    with running_replica(seed=4, generated=1500) as server:
        articles = truth(server)
        days = sorted(
            {datetime.fromisoformat(a["published_at"]).astimezone(KYIV).date() for a in articles}
        )
        oldest = days[1]  # a whole day near the far end of the listings
        summary: Summary = asyncio.run(
            backfill(oldest, oldest, None, server.base_url, None, str(fast_site_settings))
        )
        stats = httpx.get(server.base_url + "/__stats__").json()
    wanted = {
        a["url"]
        for a in articles
        if datetime.fromisoformat(a["published_at"]).astimezone(KYIV).date() == oldest
    }
    stored = {r["url"] for r in stored_rows(fast_site_settings)}
    assert wanted and wanted <= stored
    assert summary["editions"]["total"]["failed"] == 0
    pages_per_edition = len(articles) / 3 / 20
    assert stats["requests"]["listing"] < 3 * pages_per_edition / 3, stats["requests"]


def test_a_translation_that_appears_later_joins_its_story_in_a_later_run(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    asyncio.run(ingest(None, replica.base_url, None, str(fast_site_settings)))
    replica.site.clock.advance(int(3.5 * 3600))  # h020's uk edition is out, its en and ru not yet
    asyncio.run(ingest(None, replica.base_url, None, str(fast_site_settings)))
    first = {r["url"]: r for r in stored_rows(fast_site_settings)}
    replica.site.clock.advance(int(2.5 * 3600))
    asyncio.run(ingest(None, replica.base_url, None, str(fast_site_settings)))
    rows = {r["url"]: r for r in stored_rows(fast_site_settings)}
    stories: dict[str, list[str]] = defaultdict(list)
    for a in truth(replica):
        stories[a["story_id"]].append(a["url"])
    grown = [urls for urls in stories.values() if 0 < sum(u in first for u in urls) < len(urls)]
    assert grown, "some story should gain an edition between the two runs"
    for urls in grown:
        assert all(u in rows for u in urls)
        assert len({rows[u]["story_id"] for u in urls}) == 1, urls


def test_two_overlapping_backfills_store_each_article_once(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    articles = truth(replica)
    start, end = full_window(replica, articles)
    command = [sys.executable, "-m", "unn_ingest", "backfill", "--json"]
    command += ["--from", str(start), "--to", str(end), "--origin", replica.base_url]
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}  # one server, as live
    runs = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-2000:]
    rows = stored_rows(fast_site_settings)
    assert sorted(r["url"] for r in rows) == sorted(a["url"] for a in articles)
    editions: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        editions[row["story_id"]].append(row["edition"])
    assert all(len(e) == len(set(e)) for e in editions.values())


def test_a_hostile_site_loses_nothing_once_it_recovers(
    fast_site_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unn_ingest.replica.faults import FaultBoard, FaultPlan

    monkeypatch.setenv("UNN_INGEST_RETRY_DELAY_SECONDS", "0")  # failures are due at once...
    monkeypatch.setenv("UNN_INGEST_RETRY_DELAY_CAP_SECONDS", "0")  # ...permanent ones too

    with running_replica(seed=2, generated=40, faults="hostile") as server:
        hostile: Summary = asyncio.run(ingest(None, server.base_url, None, str(fast_site_settings)))
        reasons = {f["reason"] for f in hostile["failures"]}
        server.site.faults = FaultBoard(FaultPlan(), server.site.seed)
        asyncio.run(ingest(None, server.base_url, None, str(fast_site_settings)))
        listed = set()
        for path in ("/rss/news_uk.xml", "/rss/news_en.xml", "/rss/news_ru.xml"):
            listed |= set(
                re.findall(
                    r"<link>([^<]+/news/[^<]+)</link>", httpx.get(server.base_url + path).text
                )
            )
    assert hostile["failures"] and all(reasons)
    assert any("not a host of the site profile" in r for r in reasons)
    stored = {r["url"] for r in stored_rows(fast_site_settings)}
    assert listed and listed <= stored


def test_every_article_has_the_rubric_and_key_its_page_names(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    asyncio.run(ingest(None, replica.base_url, None, str(fast_site_settings)))
    rubrics = {a["url"]: (a["rubric"], a["rubric_key"]) for a in truth(replica)}
    rows = stored_rows(fast_site_settings)
    assert rows and all((r["rubric"], r["rubric_key"]) == rubrics[r["url"]] for r in rows)


def test_worker_processes_and_read_ahead_store_what_an_in_process_run_stores(
    replica: ReplicaServer, fast_site_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unn_ingest.flows import ingest as ingest_module
    from unn_ingest.flows.fetch.readahead import ReadAhead

    start, end = full_window(replica, truth(replica))
    in_process, pooled = fast_site_settings / "in-process", fast_site_settings / "pooled"
    asyncio.run(backfill(start, end, None, replica.base_url, None, str(in_process)))

    taken: list[bool] = []
    take = ReadAhead.take

    def counting_take(self: ReadAhead, requests: Any) -> Any:
        future = take(self, requests)
        taken.append(future is not None)
        return future

    monkeypatch.setattr(ReadAhead, "take", counting_take)
    monkeypatch.setattr(ingest_module, "POOL_THRESHOLD", 0)  # the pool for any size
    monkeypatch.setenv("UNN_INGEST_BATCH_SIZE", "7")  # many batches over every day
    asyncio.run(backfill(start, end, None, replica.base_url, None, str(pooled)))

    assert sum(taken) >= 5, "the workers read batches ahead"
    assert_same_records(stored_rows(in_process), stored_rows(pooled))


def assert_same_records(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> None:
    """Assert two stores hold the same articles, content and stories (ids and times aside)."""
    fields = ("edition", "title", "lead", "body", "published_at", "link_method", "duplicate_of")
    by_url = {r["url"]: r for r in right}
    assert {r["url"] for r in left} == by_url.keys()
    for row in left:
        assert {f: row[f] for f in fields} == {f: by_url[row["url"]][f] for f in fields}
    assert stories_by_url(left) == stories_by_url(right)


def stories_by_url(rows: list[dict[str, Any]]) -> set[frozenset[str]]:
    members: dict[Any, set[str]] = defaultdict(set)
    for row in rows:
        members[row["story_id"]].add(row["url"])
    return {frozenset(urls) for urls in members.values()}


def test_linked_counts_every_article_of_the_run_that_shares_a_story(
    replica: ReplicaServer, fast_site_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNN_INGEST_BATCH_SIZE", "5")  # editions of a story in different batches
    start, end = full_window(replica, truth(replica))
    summary: Summary = asyncio.run(
        backfill(start, end, None, replica.base_url, None, str(fast_site_settings))
    )
    rows = stored_rows(fast_site_settings)
    size: dict[Any, int] = defaultdict(int)
    for row in rows:
        size[row["story_id"]] += 1
    shared = sum(1 for row in rows if size[row["story_id"]] > 1)
    assert summary["editions"]["total"]["linked"] == shared
