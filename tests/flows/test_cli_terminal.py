"""The command line as a newcomer meets it in a terminal and through pipes: closed pipes, stdout
as `-`, help with examples, one time format, stories and their editions, what a command
leaves behind when it fails, a failures list that reads at 80 columns."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.flows.test_cli import all_command_paths
from tests.storage.conftest import build_input
from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.flows.fetch.archive import Exchange, WarcArchive
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import FetchRecord, RetryDelays, Store
from unn_ingest.storage.records import StoryGroup, StoryMember

runner = CliRunner()
_register_subcommands()
INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture
def many(tmp_path: Path) -> Path:
    """A data folder holding 300 stories with bodies of ~2 KB (more than a pipe holds); the
    first ten have an English edition too, joined by the switcher."""
    data = tmp_path / "data"
    body = "Перший абзац новини, досить довгий. " * 60
    with Store.open(f"sqlite:///{data / 'unn-ingest.sqlite3'}") as store:
        uk = store.upsert_articles([build_input("uk", f"news-{n}", body=body) for n in range(300)])
        en = store.upsert_articles([build_input("en", f"news-{n}") for n in range(10)])
        groups = [
            StoryGroup(
                (
                    StoryMember(u.article_id, "switcher", 1.0),
                    StoryMember(e.article_id, "switcher", 1.0),
                )
            )
            for u, e in zip(uk, en, strict=False)
        ]
        groups += [StoryGroup((StoryMember(u.article_id, "none", None),)) for u in uk[10:]]
        store.apply_story_groups(groups)
    return data


def test_show_takes_a_story_and_an_article_lists_its_other_editions(many: Path) -> None:
    first = runner.invoke(app, ["export", "--data-dir", str(many)]).stdout.splitlines()
    records = [json.loads(line) for line in first]
    uk = next(r for r in records if r["edition"] == "uk" and r["slug"] == "news-0")
    en = next(r for r in records if r["edition"] == "en" and r["slug"] == "news-0")
    story = uk["story_id"]
    shown = runner.invoke(app, ["show", f"story:{story}", "--json", "--data-dir", str(many)])
    assert shown.exit_code == 0, shown.output
    editions = json.loads(shown.stdout)["editions"]
    assert [(e["edition"], e["url"]) for e in editions] == [("uk", uk["url"]), ("en", en["url"])]
    table = runner.invoke(app, ["show", uk["url"], "--data-dir", str(many)], env={"COLUMNS": "200"})
    cells = [re.sub(r"\s+", " ", line.strip(" │")) for line in table.stdout.splitlines()]
    assert any(c.startswith(f"story │ {story} (unn-ingest show story:{story})") for c in cells)
    assert any(c.startswith("en edition │ ") and "(switcher): " in c for c in cells), cells
    missing = runner.invoke(app, ["show", "99999", "--data-dir", str(many)])
    assert missing.exit_code == 1
    assert missing.stderr == "error: no stored article '99999'; for the story, show story:99999\n"


def piped(command: str) -> subprocess.CompletedProcess[str]:
    """Run `unn-ingest …` into `head -1` in bash; print the command's own exit status last."""
    script = f"set -o pipefail; {sys.executable} -m unn_ingest {command} | head -1"
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=120, env=dict(os.environ)
    )


@pytest.mark.parametrize("command", ["export", "stories --limit 300", "stories --json"])
def test_a_reader_that_goes_away_ends_the_command_quietly(many: Path, command: str) -> None:
    done = piped(f"{command} --data-dir {many}")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == 1


def test_export_out_dash_is_stdout(
    many: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["export", "--out", "-", "--data-dir", str(many)])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 310
    assert not (tmp_path / "-").exists()
    assert result.stderr == "exported 310 articles\n"


def test_export_of_a_range_that_matches_nothing_says_so(many: Path) -> None:
    args = ["export", "--from", "2020-01-01", "--to", "2020-01-02", "--data-dir", str(many)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "note: no articles published from 2020-01-01 to 2020-01-02 (Kyiv) are stored; "
        "the export is empty",
        "exported 0 articles",
    ]


@pytest.mark.parametrize(
    ("out", "line"),
    [
        (
            "/proc/x.jsonl",
            "error: --out /proc/x.jsonl cannot be written: No such file or directory",
        ),
        ("{file}/x.jsonl", "error: --out {file}/x.jsonl: {file} is a file, not a folder"),
    ],
    ids=["refused-by-the-system", "under-a-file"],
)
def test_an_out_that_cannot_be_written_is_exit_2(tmp_path: Path, out: str, line: str) -> None:
    file = tmp_path / "a-file"
    file.write_text("kept\n")
    result = runner.invoke(app, ["export", "--out", out.format(file=file)])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        line.format(file=file) + " (see 'unn-ingest export --help')"
    ]
    assert file.read_text() == "kept\n"


def test_json_times_are_the_exports(many: Path) -> None:
    stories = json.loads(runner.invoke(app, ["stories", "--json", "--data-dir", str(many)]).stdout)
    exported = runner.invoke(app, ["export", "--data-dir", str(many)]).stdout.splitlines()
    assert stories and all(INSTANT.fullmatch(s["published_at"]) for s in stories)
    first = json.loads(exported[0])
    assert INSTANT.fullmatch(first["published_at"]) and INSTANT.fullmatch(first["fetched_at"])


@pytest.mark.parametrize("path", all_command_paths(), ids=lambda p: " ".join(p))
def test_help_has_examples_and_no_bool_metavar(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.stdout
    examples = result.stdout.split("Examples:", 1)[1].splitlines()
    shown = [line.strip(" │") for line in examples if "unn-ingest" in line]
    assert shown, result.stdout
    for line in shown:
        assert re.match(rf"([A-Z_]+=\S+ )?unn-ingest {' '.join(path)}\b", line), line


@pytest.mark.parametrize("command", [["export"], ["reprocess"], ["backfill"]])
def test_dates_say_their_format(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    for option in ("--from", "--to"):
        line = next(x for x in result.stdout.splitlines() if f"{option} " in x)
        assert "YYYY-MM-DD" in line, line


def test_eval_names_the_shared_data_apart_from_the_data_folder() -> None:
    result = runner.invoke(app, ["eval", "extraction", "--help"], env={"COLUMNS": "200"})
    assert "--shared-data" in result.stdout and "UNN_INGEST_SHARED_DATA" in result.stdout


@pytest.mark.parametrize(
    ("command", "left_out"),
    [
        (["eval", "language"], ["lingua-testdata"]),
        (["eval", "extraction"], ["benchmark", "fundus-pravda"]),
    ],
)
def test_eval_quick_runs_the_replica_parts_without_the_shared_data(
    tmp_path: Path, command: list[str], left_out: list[str]
) -> None:
    missing = tmp_path / "no-shared-data"
    result = runner.invoke(app, [*command, "--quick", "--json", "--shared-data", str(missing)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [item.split(" ")[0] for item in report["left_out"]] == left_out
    notes = result.stderr.splitlines()
    assert [n.split(" ")[3] for n in notes] == left_out
    assert all(n.startswith("note: not measured: ") for n in notes)
    assert report["replica"] if "replica" in report else report["metadata"]


def test_without_quick_missing_shared_data_is_still_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-shared-data"
    result = runner.invoke(app, ["eval", "language", "--shared-data", str(missing)])
    assert result.exit_code == 2 and "lingua-testdata is missing" in result.stderr


def test_failures_read_at_80_columns(tmp_path: Path) -> None:
    url = "https://unn.ua/en/news/" + "very-long-slug-of-a-story-about-something-" * 3
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    with Store.open(f"sqlite:///{tmp_path / 'unn-ingest.sqlite3'}") as store:
        record = FetchRecord(url, "article", 503, None, None, None, "HTTP 503", now)
        store.record_fetches([record], RetryDelays())
    result = runner.invoke(app, ["failures", "--data-dir", str(tmp_path)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [  # through a pipe: never cut, each on its own line
        "1 failed URL(s)",
        url,
        "  article · fetch · HTTP 503 · transient · 1 attempt; last 2026-12-02 12:00:00, "
        "next 2026-12-02 12:05:00 UTC",
    ]


def test_probe_refuses_another_host_before_any_request() -> None:
    with running_replica(seed=7, generated=0) as replica:
        url = "https://example.org/en/news/x"
        result = runner.invoke(app, ["probe", url, "--origin", replica.base_url])
        requests = sum(replica.site.stats.requests.values())
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"error: {url} is not a page of {replica.base_url}; probe fetches only the site's own "
        "pages (give --origin to probe another site, such as the replica) "
        "(see 'unn-ingest probe --help')"
    ]
    assert requests == 0


def test_a_failing_reprocess_leaves_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["reprocess", "--data-dir", "data"])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        f"error: no archive at {Path('data') / 'warc'}: nothing to reprocess (check --data-dir)"
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_backfill_against_a_refusing_origin_fails_at_once_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    dead = "http://127.0.0.1:9"
    args = ["backfill", "--from", "2025-11-19", "--to", "2025-11-19", "--origin", dead]
    result = runner.invoke(app, [*args, "--data-dir", "data"])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        f"error: cannot reach {dead}: connection refused; nothing was fetched or written "
        "(is the site up? check --origin / UNN_INGEST_ORIGIN)"
    ]
    assert list(tmp_path.iterdir()) == []


def test_reprocess_of_another_origins_archive_names_it(
    prefect_harness: None, fast_site_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UNN_INGEST_ORIGIN", raising=False)
    archive = WarcArchive(fast_site_settings / "warc")
    fetched = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
    for n in range(3):
        url = f"http://127.0.0.1:8765/en/news/story-{n}"
        headers = (("content-type", "text/html; charset=utf-8"),)
        archive.write(Exchange(url, url, (), 200, "OK", headers, b"<html></html>", fetched))
    archive.close()
    result = runner.invoke(app, ["reprocess", "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "note: no archived pages of https://unn.ua (the archive holds 3 of "
        "http://127.0.0.1:8765); set UNN_INGEST_ORIGIN or --origin to the site they were "
        "fetched from"
    ]


def test_split_backfill_points_to_the_doc_that_explains_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = runner.invoke(app, ["split-backfill", "--from", "2025-11-01", "--to", "2025-11-07"])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("(docs/scale.md)")


def test_backfill_refetch_fetches_the_stored_articles_again(
    prefect_harness: None, fast_site_settings: Path
) -> None:
    day = "2025-11-11"  # days before the replica's clock: outside the 48 h of re-checks
    with running_replica(seed=7, generated=15) as replica:
        args = ["backfill", "--from", day, "--to", day, "--origin", replica.base_url, "--json"]
        first = runner.invoke(app, args)
        assert first.exit_code == 0, first.output
        stored = json.loads(first.stdout)["editions"]["total"]["new"]
        before = replica.site.stats.requests.get("article", 0)
        again = runner.invoke(app, [*args, "--refetch"])
        asked = replica.site.stats.requests.get("article", 0) - before
    assert again.exit_code == 0, again.output
    totals = json.loads(again.stdout)["editions"]["total"]
    assert stored > 0 and asked == stored
    assert totals["unchanged"] + totals["updated"] == stored
