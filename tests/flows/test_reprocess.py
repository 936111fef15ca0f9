"""`reprocess`: the archive alone rebuilds the records, exactly, and repairs what differs."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, delete, func, select, update
from typer.testing import CliRunner

from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.flows.ingest import backfill, ingest
from unn_ingest.flows.reprocess import reprocess
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store
from unn_ingest.storage.models import Article, ArticleRevision, EditionLinkEntry

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]
_register_subcommands()


def database(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}"


def snapshot(data_dir: Path) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    """Return every exported record and every revision (the whole observable state)."""
    with Store.open(database(data_dir)) as store:
        rows = sorted(store.iter_export(None, None), key=lambda r: r["url"])
    engine = create_engine(database(data_dir))
    with engine.connect() as conn:
        revisions = sorted(tuple(r) for r in conn.execute(select(ArticleRevision)))
    engine.dispose()
    return rows, revisions


ORIGIN: list[str] = []  # the stopped replica's origin, which the archived URLs carry


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """A data dir filled by a backfill plus a later ingest (corrections: revisions)."""
    data_dir = tmp_path_factory.mktemp("archived")
    env = {"UNN_INGEST_REQUESTS_PER_SECOND": "0", "UNN_INGEST_MAX_CONCURRENCY": "8",
           "UNN_INGEST_REVISIT_MIN_MINUTES": "0", "UNN_INGEST_REVISIT_AGE_FACTOR": "0"}  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        with running_replica(seed=3, generated=40) as server:
            articles = httpx.get(server.base_url + "/__truth__").json()["articles"]
            days = sorted(a["published_at"][:10] for a in articles)
            start = (server.site.now() - timedelta(days=40)).date()
            end = server.site.now().date() + timedelta(days=1)
            assert days
            asyncio.run(backfill(start, end, None, server.base_url, None, str(data_dir)))
            server.site.clock.advance(int(timedelta(hours=12).total_seconds()))
            asyncio.run(ingest(None, server.base_url, None, str(data_dir)))
            ORIGIN.append(server.base_url)
    return data_dir  # the replica is stopped from here on


def test_reprocess_without_the_site_reproduces_every_record(archived: Path) -> None:
    before = snapshot(archived)
    assert before[0] and before[1], "the fixture should hold articles and revisions"
    summary = asyncio.run(reprocess(data_dir=str(archived), origin=ORIGIN[0]))
    totals = summary["editions"]["total"]  # type: ignore[index]
    assert (totals["new"], totals["updated"]) == (0, 0), summary["changed"]
    assert totals["unchanged"] == len(before[0])
    assert snapshot(archived) == before


def test_reprocess_repairs_a_record_and_a_second_run_changes_nothing(
    archived: Path, tmp_path: Path
) -> None:
    before = snapshot(archived)
    victim = before[0][0]["url"]
    engine = create_engine(database(archived))
    with engine.begin() as conn:
        conn.execute(update(Article).where(Article.url == victim).values(title="wrong", tags=[]))
    engine.dispose()
    result = CliRunner().invoke(
        app, ["reprocess", "--json", "--data-dir", str(archived), "--origin", ORIGIN[0]]
    )
    assert result.exit_code == 0, result.output
    assert '"updated": 1' in result.output and victim in result.output
    assert snapshot(archived) == before
    again = asyncio.run(reprocess(data_dir=str(archived), origin=ORIGIN[0]))
    assert again["changed"] == []


def test_reprocess_selects_by_edition_and_date(archived: Path) -> None:
    rows = snapshot(archived)[0]
    day = rows[0]["published_at"][:10]
    summary = asyncio.run(
        reprocess(
            date_from=date.fromisoformat(day),
            date_to=date.fromisoformat(day),
            editions=["en"],
            data_dir=str(archived),
            origin=ORIGIN[0],
        )
    )
    totals = summary["editions"]["total"]  # type: ignore[index]
    assert 0 < totals["unchanged"] < len(rows)
    assert set(summary["editions"]) <= {"en", "total"}  # type: ignore[call-overload]


def test_reprocess_rebuilds_lost_revisions_and_edition_links(archived: Path) -> None:
    content = [c for c in ArticleRevision.__table__.columns if c.name != "id"]
    links = select(func.count()).select_from(EditionLinkEntry)
    engine = create_engine(database(archived))
    with engine.begin() as conn:
        revisions = sorted(tuple(r) for r in conn.execute(select(*content)))
        link_count = conn.execute(links).scalar_one()
        revised = revisions[0][content.index(ArticleRevision.__table__.c.article_id)]
        linked = conn.execute(select(EditionLinkEntry.from_article_id).limit(1)).scalar_one()
        conn.execute(delete(ArticleRevision).where(ArticleRevision.article_id == revised))
        conn.execute(delete(EditionLinkEntry).where(EditionLinkEntry.from_article_id == linked))
        assert conn.execute(links).scalar_one() < link_count
    summary = asyncio.run(reprocess(data_dir=str(archived), origin=ORIGIN[0]))
    with engine.connect() as conn:
        assert sorted(tuple(r) for r in conn.execute(select(*content))) == revisions
        assert conn.execute(links).scalar_one() == link_count
    engine.dispose()
    assert summary["editions"]["total"]["updated"] == 1  # type: ignore[index]


def test_a_damaged_record_mid_file_loses_only_itself_and_its_articles_are_listed(
    archived: Path, tmp_path: Path
) -> None:
    import shutil

    from unn_ingest.flows.fetch.archive import ArchiveDamage, read_archive

    data_dir = tmp_path / "data"
    shutil.copytree(archived, data_dir)
    path = max((data_dir / "warc").glob("*.warc.gz"), key=lambda p: p.stat().st_size)
    intact = [p.ref for p in read_archive(data_dir / "warc")]
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = bytes(range(256)) * 16  # 4 KiB of noise
    path.write_bytes(bytes(data))
    damage: list[ArchiveDamage] = []
    refs = [p.ref for p in read_archive(data_dir / "warc", damage)]
    assert damage and sorted(refs) == sorted(
        r for r in intact if not any(h.holds(r) for h in damage)
    )
    assert sum(r.startswith(path.name) for r in refs) > 0.8 * sum(
        r.startswith(path.name) for r in intact
    ), "the intact records after the damage are read"

    args = ["--data-dir", str(data_dir)]
    result = CliRunner().invoke(app, ["reprocess", *args, "--origin", ORIGIN[0]])
    assert result.exit_code == 0, result.output
    assert all(c.isprintable() or c in "\n" for c in result.output), "raw bytes echoed"
    (line,) = [x for x in result.output.splitlines() if "without a readable archived page" in x]
    lost = int(line.split()[0])
    assert lost >= 1
    listed = [x for x in result.output.splitlines() if x.startswith("failed (archive)")]
    assert len(listed) == lost + len(damage)  # each span and each article, printed
    failures = CliRunner().invoke(app, ["failures", "--json", *args])
    assert failures.exit_code == 0, failures.output
    assert failures.output.count("archived page unreadable") == lost
