"""Resource faults end a run with one line: a full data folder (a small tmpfs), a database
whose connections drop mid-run (the run rides it out), a folder it may not write."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from unn_ingest.replica.testing import running_replica

pytestmark = [pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1.2 MB tmpfs (the tests run as root, in CI too): a data folder that fills up."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(folder)]
    subprocess.run(mount, check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


SERVER_STARTING = "starting Prefect's local server"  # the command's first line, at once


def backfill(base_url: str, start: str, end: str, data_dir: Path, home: Path) -> Any:
    env = {**os.environ, "PREFECT_HOME": str(home), "UNN_INGEST_DATA_DIR": str(data_dir)}
    env.pop("PREFECT_API_URL", None)
    env.pop("UNN_INGEST_DB_URL", None)
    command = [sys.executable, "-m", "unn_ingest", "backfill", "--json", "--origin", base_url]
    command += ["--from", start, "--to", end]
    return subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)


def stored_urls(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "unn-ingest.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT url FROM article")]


def test_a_full_data_folder_is_one_line_and_the_rerun_loses_nothing(
    small_disk: Path, tmp_path: Path
) -> None:
    data_dir = small_disk / "data"
    with running_replica(seed=4, generated=60) as replica:
        truth = httpx.get(replica.base_url + "/__truth__").json()["articles"]
        days = sorted(a["published_at"][:10] for a in truth)
        for attempt in (1, 2):  # the second run meets a disk already full
            done = backfill(replica.base_url, days[0], days[-1], data_dir, tmp_path / "home")
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            lines = [line for line in lines if not line.startswith(SERVER_STARTING)]
            assert done.returncode == 1, (attempt, done.stderr[-3000:])
            assert len(lines) == 1 and lines[0].startswith("error: no space left"), lines
            assert str(data_dir) in lines[0] and "what was stored is kept" in lines[0]
            warcs = list((data_dir / "warc").glob("*.warc.gz"))
            assert all(p.stat().st_size > 0 for p in warcs), "an empty WARC file was left"
        before = set(stored_urls(data_dir))
        remount = ["mount", "-o", "remount,size=256m", str(small_disk)]
        subprocess.run(remount, check=True, capture_output=True)
        done = backfill(replica.base_url, days[0], days[-1], data_dir, tmp_path / "home")
    assert done.returncode == 0, done.stderr[-3000:]
    urls = stored_urls(data_dir)
    assert len(urls) == len(set(urls)) and before <= set(urls)
    assert {a["url"] for a in truth} <= set(urls)
    assert '"waiting": 0' in done.stdout  # what the full disk left unlinked is linked
