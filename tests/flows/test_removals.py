"""Articles the site removes (404/410) or moves (a redirect to a new slug), end to end."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from unn_ingest.flows.ingest import ingest
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

pytestmark = pytest.mark.usefixtures("prefect_harness")

Summary = dict[str, Any]


@pytest.fixture
def replica() -> Iterator[ReplicaServer]:
    with running_replica(seed=3, generated=40) as server:
        yield server


def run_ingest(server: ReplicaServer, data_dir: Path) -> Summary:
    summary: Summary = asyncio.run(ingest(None, server.base_url, None, str(data_dir)))
    return summary


def open_store(data_dir: Path) -> Store:
    return Store.open(f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}")


def truth(server: ReplicaServer) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(server.base_url + "/__truth__").json()
    return document


def test_an_article_that_starts_answering_410_is_marked_removed_and_kept(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    run_ingest(replica, fast_site_settings)
    with open_store(fast_site_settings) as store:
        before = {r["url"]: r for r in store.iter_export()}
    replica.site.clock.advance(timedelta(hours=12).total_seconds())
    corrected = [
        a["url"]
        for a in truth(replica)["articles"]
        if a["url"] in before and before[a["url"]]["title"] != a["title"]
    ]
    assert corrected, "the replica corrects a stored article within 12 hours"
    run_ingest(replica, fast_site_settings)  # stores the correction as a revision
    url = corrected[0]
    replica.site.live.remove(urlsplit(url).path, replica.site.now(), 410)
    replica.site.clock.advance(60)

    summary = run_ingest(replica, fast_site_settings)

    assert summary["editions"]["total"]["removed"] == 1
    assert not [f for f in summary["failures"] if f["url"] == url]
    with open_store(fast_site_settings) as store:
        view = store.article(url)
        assert view is not None
        assert view.removed_at is not None
        assert view.removed_status == 410
        assert len(view.revisions) >= 1  # the corrected text's earlier version is kept
        assert url not in {f.url for f in store.failures()}
        assert [r.url for r in store.removed_since(view.removed_at)] == [url]
        exported = {r["url"]: r for r in store.iter_export()}
    assert exported[url]["removed_at"] is not None
    asked = replica.site.stats.as_dict()["requests"].get("removed", 0)

    replica.site.clock.advance(timedelta(hours=1).total_seconds())
    again = run_ingest(replica, fast_site_settings)

    assert again["editions"]["total"]["removed"] == 0
    assert replica.site.stats.as_dict()["requests"].get("removed", 0) == asked  # not retried
    assert not again["failures"]


def test_a_slug_change_by_redirect_is_a_move_not_a_new_story(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    run_ingest(replica, fast_site_settings)
    with open_store(fast_site_settings) as store:
        rows = list(store.iter_export())
        old = next(r for r in rows if r["edition"] == "en" and r["story_id"] is not None)
        count = len(rows)
    site = replica.site
    new_path = site.live.move(site.index, urlsplit(old["url"]).path, site.now(), "a-new-slug")
    site.clock.advance(60)

    summary = run_ingest(replica, fast_site_settings)

    assert summary["editions"]["total"]["moved"] == 1
    new_url = replica.base_url + new_path
    with open_store(fast_site_settings) as store:
        view = store.article(new_url)
        assert view is not None
        assert view.moved_from == old["url"]
        assert view.story_id == old["story_id"]
        assert store.article(old["url"]) is None
        after = list(store.iter_export())
        assert old["url"] not in {s.url for s in store.failures()}
    assert len(after) == count  # the same article, not a new one
    assert sum(1 for r in after if r["url"] == new_url) == 1
    again = run_ingest(replica, fast_site_settings)
    assert again["editions"]["total"]["moved"] == 0
    assert again["editions"]["total"]["new"] == 0


def test_a_moved_article_s_old_url_is_not_fetched_again_for_its_siblings_links(
    replica: ReplicaServer, fast_site_settings: Path
) -> None:
    """The other editions stored before the move link to the old URL: that link still joins
    them to the moved article, and their revisits do not fetch the old URL run after run."""
    run_ingest(replica, fast_site_settings)
    with open_store(fast_site_settings) as store:
        rows = list(store.iter_export())
    story = next(
        r["story_id"]
        for r in rows
        if r["edition"] == "en" and r["story_id"] is not None and r["link_method"] != "content"
    )
    old = next(r for r in rows if r["edition"] == "en" and r["story_id"] == story)
    siblings = [r["id"] for r in rows if r["story_id"] == story and r["edition"] != "en"]
    assert siblings
    site = replica.site
    new_path = site.live.move(site.index, urlsplit(old["url"]).path, site.now(), "a-new-slug")
    site.clock.advance(60)
    run_ingest(replica, fast_site_settings)  # finds the move
    site.clock.advance(timedelta(minutes=40).total_seconds())
    run_ingest(replica, fast_site_settings)  # revisits the siblings, which link to the old URL

    with open_store(fast_site_settings) as store:
        assert old["url"] not in {url for _, url in store.unlinked_urls(siblings)}
        assert old["url"] not in store.due_urls("article", site.now())
        state = store.fetch_states([old["url"]])[old["url"]]
        moved = store.article(replica.base_url + new_path)
        assert moved is not None and moved.story_id == old["story_id"]
    assert state.next_attempt_at is None  # closed by the move, not reopened by a refetch
