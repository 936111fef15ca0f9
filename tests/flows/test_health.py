"""`unn-ingest health`: freshness, new per hour, gaps and failures, exactly as printed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from tests.storage.conftest import build_input, url_of
from unn_ingest.extractors import clock
from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.storage import FetchRecord, GapRow, RetryDelays, Store

_register_subcommands()
runner = CliRunner()
NOW = datetime(2025, 11, 20, 22, 0, tzinfo=UTC)


def fill(data_dir: Path) -> None:
    """Three stored articles (one since removed), one discovered but not stored, one failure
    and one gap."""
    hour = timedelta(hours=1)
    stored = [stored_late("uk", "a", 2 * hour, 10), stored_late("uk", "b", 3 * hour, 30)]
    stored.append(stored_late("en", "c", 240 * hour, 5))
    with Store.open(f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}") as store:
        store.upsert_articles(stored)
        store.add_discovered([url_of("ru", "d"), url_of("en", "e")], "article", NOW - hour)
        failed = FetchRecord(url_of("en", "e"), "article", 503, None, None, None, "HTTP 503", NOW)
        store.record_fetches([failed], RetryDelays())
        gap_from = datetime(2025, 11, 10, 8, 0, tzinfo=UTC)
        store.record_gaps([GapRow("uk", gap_from, gap_from + 48 * hour, NOW - 12 * hour)])
        store.mark_removed([(url_of("en", "c"), 410)], NOW - 2 * hour)


def stored_late(edition: str, slug: str, age: timedelta, minutes: int) -> AnalysedArticle:
    """An article published `age` before NOW and stored `minutes` after its publication."""
    published = NOW - age
    return build_input(
        edition, slug, published_at=published, fetched_at=published + timedelta(minutes=minutes)
    )


COMMAND = "unn-ingest backfill --from 2025-11-10 --to 2025-11-12 --edition uk"
EXPECTED = f"""\
health at 2025-11-20 22:00 UTC

freshness: minutes from publication to storage (articles published in the window)
  window  edition  articles  p50   p95   max   missing
  24h     uk       2         10.0  30.0  30.0  0
  24h     en       0         -     -     -     1
  24h     ru       0         -     -     -     1
  30d     uk       2         10.0  30.0  30.0  0
  30d     en       1         5.0   5.0   5.0   1
  30d     ru       0         -     -     -     1

new articles stored
  window  edition  new  per_hour
  24h     uk       2    0.1
  24h     en       0    0.0
  24h     ru       0    0.0
  30d     uk       2    0.0
  30d     en       1    0.0
  30d     ru       0    0.0

open gaps (spans no run listed)
  edition  from              to                found_at          command
  uk       2025-11-10 08:00  2025-11-12 08:00  2025-11-20 10:00  {COMMAND}

failed URLs (last attempt)
  window  kind     stage  urls
  24h     article  fetch  1
  30d     article  fetch  1

articles the site removed (404/410 on a revisit; kept with their revisions)
  window  edition  removed
  24h     en       1
  30d     en       1

articles waiting for linking (the next run covering their day links them)
  waiting
  3

fields found (share of the articles fetched in the last 30 days)
  field          uk    en    ru
  title          100%  100%  -
  lead           100%  100%  -
  body           100%  100%  -
  authors        100%  100%  -
  rubric         100%  100%  -
  rubric_key     0%    0%    -
  tags           100%  100%  -
  image          100%  100%  -
  image_caption  0%    0%    -
  image_credit   0%    0%    -
  images         0%    0%    -
  sections       0%    0%    -
  published_at   100%  100%  -
  modified_at    0%    0%    -
  story          0%    0%    -
"""


def test_health_prints_each_section_for_the_last_day_and_month(tmp_path: Path) -> None:
    fill(tmp_path)
    with clock.use_clock(clock.FixedClock(NOW)):
        shown = runner.invoke(app, ["health", "--data-dir", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == EXPECTED


def test_health_json_carries_the_same_sections(tmp_path: Path) -> None:
    fill(tmp_path)
    with clock.use_clock(clock.FixedClock(NOW)):
        shown = runner.invoke(app, ["health", "--data-dir", str(tmp_path), "--json"])
    data = json.loads(shown.stdout)
    assert list(data) == [
        "now",
        "freshness",
        "new",
        "gaps",
        "failures",
        "removed",
        "link_debt",
        "fields",
    ]
    assert data["freshness"][0] == {
        "window": "24h", "edition": "uk", "articles": 2, "p50": 10.0, "p95": 30.0, "max": 30.0,
        "missing": 0,
    }  # fmt: skip
    assert data["gaps"][0]["command"].endswith("--edition uk")


def test_health_of_an_empty_store_is_one_note(tmp_path: Path) -> None:
    Store.open(f"sqlite:///{tmp_path / 'unn-ingest.sqlite3'}").close()
    with clock.use_clock(clock.FixedClock(NOW)):
        shown = runner.invoke(app, ["health", "--data-dir", str(tmp_path)])
    assert shown.exit_code == 0
    assert shown.stdout == ""
    assert shown.stderr == "note: nothing was stored, found missing or failed in the last 30 days\n"


def test_health_of_a_bad_database_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "unn-ingest.sqlite3"
    bad.write_bytes(b"not a database at all" * 100)
    shown = runner.invoke(app, ["health", "--data-dir", str(tmp_path)])
    assert shown.exit_code == 1
    assert shown.stderr.startswith("error: ") and shown.stderr.count("\n") == 1
    assert "Traceback" not in shown.output
