"""The whole pipeline on replica layout b with a profile whose class names match nothing.

Everything then rests on the page's structure: titles, leads, bodies, authors and explicit
edition links must still come out right, and the run's drift section must raise the alarm.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from unn_ingest.config import load_profile
from unn_ingest.config.profiles import PROFILE_DIR
from unn_ingest.extractors.scoring import score_corpus, score_page
from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.flows.cli.probe import probe_rows
from unn_ingest.flows.ingest import ingest
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

_register_subcommands()

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

GENERATED = 40


@pytest.fixture
def replica_b() -> Iterator[ReplicaServer]:
    with running_replica(seed=3, generated=GENERATED, layout="b") as server:
        yield server


def no_match_profile_file(folder: Path) -> Path:
    """Write a copy of unn.toml whose every class name (listing items too) matches nothing."""
    text = (PROFILE_DIR / "unn.toml").read_text(encoding="utf-8")
    head, css, tail = re.split(
        r"(?m)^(\[css\]\n(?:.*\n)*?)(?=\n\[\[editions\]\])", text, maxsplit=1
    )
    roles = re.findall(r'(?m)^(\w+) = "', css)
    fresh = "[css]\n" + "".join(f'{role} = "no-such-{role}"\n' for role in [*roles, "listing_item"])
    path = folder / "unn-no-match.toml"
    path.write_text(head + fresh + tail, encoding="utf-8")
    return path


def test_no_match_profile_on_layout_b_still_stores_every_article_right(
    replica_b: ReplicaServer,
    fast_site_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("UNN_INGEST_PROFILE", str(no_match_profile_file(fast_site_settings)))
    articles: list[dict[str, Any]] = httpx.get(replica_b.base_url + "/__truth__").json()["articles"]
    with caplog.at_level(logging.WARNING):
        summary = asyncio.run(ingest(None, replica_b.base_url, None, str(fast_site_settings)))
    with Store.open(f"sqlite:///{fast_site_settings / 'unn-ingest.sqlite3'}") as store:
        rows = {r["url"]: r for r in store.iter_export(None, None)}
    assert sorted(rows) == sorted(a["url"] for a in articles)
    wrong = [
        a["url"]
        for a in articles
        if (rows[a["url"]]["title"], rows[a["url"]]["lead"]) != (a["title"], a["lead"])
        or list(rows[a["url"]]["authors"]) != [a["author"]]
    ]
    assert wrong == []
    score = score_corpus(
        score_page(
            "\n\n".join((rows[a["url"]]["lead"], rows[a["url"]]["body"])),
            "\n\n".join([a["lead"], *a["body"]]),
        )
        for a in articles
    )
    assert score.f1 >= 0.99, score
    _assert_explicit_groups_joined(articles, rows)
    drift: Any = summary["drift"]
    assert set(drift["drifted"]) == {"title", "lead", "body", "switcher"}
    assert drift["parts"]["body"]["share"] == 0.0
    assert drift["parts"]["body"]["sources"] == {"structure": len(articles)}
    warning = next(r.getMessage() for r in caplog.records if "site profile drift" in r.getMessage())
    assert "no-such-body__*" in warning and replica_b.base_url in warning


def _assert_explicit_groups_joined(
    articles: list[dict[str, Any]], rows: dict[str, dict[str, Any]]
) -> None:
    groups: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        if a["link_variant"] in ("hreflang", "switcher") and not a["republication_of"]:
            groups[a["story_id"]].add(a["url"])
    assert len([g for g in groups.values() if len(g) > 1]) >= 5
    for urls in groups.values():
        assert len({rows[u]["story_id"] for u in urls}) == 1, f"split: {urls}"
        methods = {rows[u]["link_method"] for u in urls}
        # Joined by the explicit links, not by content matching.
        assert len(urls) == 1 or methods & {"hreflang", "switcher"}, methods
        assert "content" not in methods, (urls, methods)


def test_shipped_profile_on_layout_a_raises_no_alarm(
    fast_site_settings: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with running_replica(seed=3, generated=10) as replica, caplog.at_level(logging.WARNING):
        summary = asyncio.run(ingest(None, replica.base_url, None, str(fast_site_settings)))
    drift: Any = summary["drift"]
    assert drift["pages"] > 20 and drift["drifted"] == []
    assert {p["share"] for p in drift["parts"].values()} == {1.0}
    assert not [r for r in caplog.records if "site profile drift" in r.getMessage()]


def test_probe_suggests_the_class_prefixes_of_layout_b(replica_b: ReplicaServer) -> None:
    article = replica_b.site.truth()["articles"][0]
    found = dict(probe_rows(article["url"], load_profile(origin=replica_b.base_url)))
    assert found["css body (single-news-card_body__*)"] == "missing"
    assert found["css body: suggested prefix"].startswith("post-body_content")
    assert found["css title: suggested prefix"].startswith("post-header_heading")
    assert found["css lead: suggested prefix"].startswith("post-body_standfirst")
    assert "locale-menu_item" in found["css switcher: suggested prefix"]
    assert found["title"] == article["title"]


def test_probe_uses_the_profile_unn_ingest_profile_names(
    replica_b: ReplicaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (PROFILE_DIR / "unn.toml").read_text(encoding="utf-8")
    redesign = (
        '\n[[versions]]\nname = "layout-b"\nvalid_from = 2020-01-01\n[versions.css]\n'
        'title = "post-header_heading"\nlead = "post-body_standfirst"\nbody = "post-body_content"\n'
    )
    path = tmp_path / "unn-versions.toml"
    path.write_text(text + redesign, encoding="utf-8")
    monkeypatch.setenv("UNN_INGEST_PROFILE", str(path))
    article = replica_b.site.truth()["articles"][0]
    args = ["probe", article["url"], "--origin", replica_b.base_url, "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["profile version (by fetch date)"] == "layout-b"
    assert found["profile version matching the page"].startswith("layout-b (")
    assert found["css body (post-body_content__*)"] == "found"
    assert found["profile version used"] == "layout-b"
    assert found["title"] == article["title"]
