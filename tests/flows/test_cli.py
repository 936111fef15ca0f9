"""The command line: help everywhere, one-line errors, reading and exporting what was stored."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer import _click
from typer.core import TyperGroup
from typer.main import get_command
from typer.testing import CliRunner

from unn_ingest.flows.cli.app import _register_subcommands, app
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import EXPORT_FIELDS

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()
_register_subcommands()


def all_command_paths() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: _click.Command, prefix: list[str]) -> None:
        if isinstance(command, TyperGroup):  # also the lazily loaded ones (eval)
            context = _click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None, name
                walk(sub, [*prefix, name])
        else:
            paths.append(prefix)

    walk(get_command(app), [])
    return paths


@pytest.mark.parametrize("path", all_command_paths(), ids=lambda p: " ".join(p))
def test_every_command_has_help_and_a_readme_mention(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"unn-ingest {' '.join(path)}" in readme, f"README does not mention {path}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backfill", "--from", "2025-13-01", "--to", "2025-12-01"], "YYYY-MM-DD"),
        (["backfill", "--from", "2025-12-02", "--to", "2025-12-01"], "before --from"),
        (["run", "--edition", "de"], "unknown edition"),
        (["run", "--origin", "ftp://nowhere"], "not an http(s) URL"),
        (["stories", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"], "cannot connect"),
        (["export", "--format", "csv"], "jsonl or parquet"),
    ],
    ids=["bad-date", "reversed-range", "bad-edition", "bad-origin", "db-down", "bad-format"],
)
def test_bad_input_is_one_clear_error_without_traceback(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def stored(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = tmp_path_factory.mktemp("cli-data")
    env = {"UNN_INGEST_REQUESTS_PER_SECOND": "0", "UNN_INGEST_DATA_DIR": str(data_dir)}
    with running_replica(seed=7, generated=15) as replica, pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        result = runner.invoke(app, ["run", "--origin", replica.base_url, "--json"])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output)
        assert summary["editions"]["total"]["new"] > 0
        yield data_dir


def test_stories_lists_linked_editions(stored: Path) -> None:
    result = runner.invoke(app, ["stories", "--data-dir", str(stored), "--json", "--limit", "20"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert len(found) == 20
    times = [s["published_at"] for s in found]
    assert times == sorted(times, reverse=True)
    assert any(len(s["editions"]) == 3 for s in found)
    for story in found:
        assert len({e["edition"] for e in story["editions"]}) == len(story["editions"])


def test_show_by_url_and_unknown(stored: Path) -> None:
    export = runner.invoke(app, ["export", "--data-dir", str(stored)])
    first = json.loads(export.stdout.splitlines()[0])
    shown = runner.invoke(app, ["show", first["url"], "--data-dir", str(stored), "--json"])
    assert shown.exit_code == 0 and json.loads(shown.output)["title"] == first["title"]
    missing = runner.invoke(app, ["show", "https://unn.ua/news/none", "--data-dir", str(stored)])
    assert missing.exit_code == 1 and "no stored article" in missing.output


def test_export_jsonl_has_exactly_the_documented_fields(stored: Path) -> None:
    result = runner.invoke(app, ["export", "--format", "jsonl", "--data-dir", str(stored)])
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and all(list(r) == list(EXPORT_FIELDS) for r in records)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["published_at"]) for r in records)
    assert {r["edition"] for r in records} == {"uk", "en", "ru"}


def test_export_parquet_round_trips(stored: Path, tmp_path: Path) -> None:
    out = tmp_path / "articles.parquet"
    args = ["export", "--format", "parquet", "--out", str(out), "--data-dir", str(stored)]
    assert runner.invoke(app, args).exit_code == 0
    table = pq.read_table(out)
    jsonl = runner.invoke(app, ["export", "--data-dir", str(stored)]).stdout.splitlines()
    assert table.num_rows == len(jsonl)
    assert table.column_names == list(EXPORT_FIELDS)


@pytest.mark.slow
def test_demo_stores_the_replicas_last_days_and_scores_itself(
    prefect_harness: None, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["demo", "--data-dir", str(tmp_path / "demo"), "--stories", "60"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    found = re.search(r"(\d+) of the (\d+) articles of\s+those days\s+stored", result.output)
    assert found and found.group(1) == found.group(2) and int(found.group(2)) > 50
    assert re.search(r"precision\s+1\.000, recall\s+1\.000", result.output)


def test_probe_reports_what_the_profile_finds_on_a_page() -> None:
    with running_replica(seed=7, generated=15) as replica:
        truth = replica.site.truth()["articles"]
        article = next(a for a in truth if a["link_variant"] == "hreflang" and a["edition"] == "en")
        args = ["probe", article["url"], "--origin", replica.base_url, "--json"]
        result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found[f"Q1/Q2 {replica.base_url}/rss/news_en.xml"] == "HTTP 200"
    assert found["title"] == article["title"]
    assert "uk:hreflang" in found["edition links"]
    assert found["css body (single-news-card_body__*)"] == "found"


@pytest.mark.slow
def test_probe_offline_is_one_clear_error() -> None:
    dead = "http://127.0.0.1:9"
    result = runner.invoke(app, ["probe", f"{dead}/en/news/x", "--origin", dead])
    assert result.exit_code == 1  # a run-time failure (usage errors are 2)
    assert result.stderr.startswith("error: cannot reach http://127.0.0.1:9")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.output


def test_show_names_the_original_of_a_republication(tmp_path: Path) -> None:
    from tests.storage.conftest import build_input
    from unn_ingest.storage import Store

    db = f"sqlite:///{tmp_path / 'shown.sqlite3'}"
    with Store.open(db) as store:
        original, copy = store.upsert_articles(
            [build_input("en", "original-story"), build_input("en", "copy-of-story")]
        )
        store.mark_duplicate(copy.article_id, original.article_id, 0.93)
    shown = runner.invoke(app, ["show", copy.url, "--db", db])
    assert shown.exit_code == 0, shown.output
    cells = "".join(re.sub(r"[│┃\s]", "", line) for line in shown.output.splitlines())
    assert f"duplicate_of{original.url}(score0.93)" in cells
    plain = runner.invoke(app, ["show", original.url, "--db", db])
    assert plain.exit_code == 0 and "duplicate_of" not in plain.output


def test_help_imports_none_of_the_pipeline() -> None:
    # `--help` (and a typo) answer at once: the commands import the heavy parts when they run.
    import subprocess
    import sys

    script = (
        "import sys; sys.argv = ['unn-ingest', '--help']\n"
        "from unn_ingest.flows.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('trafilatura', 'prefect', 'sqlalchemy', 'datasketch', 'lxml', 'httpx')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
