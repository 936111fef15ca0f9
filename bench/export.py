"""Benchmark: exporting 100,000 generated articles to Parquet, streamed, in bounded memory.

    python -m bench.export [--articles 100000]

Fills a SQLite database with generated articles (about 2 KB of body each, three editions per
story, joined into stories), then runs `unn-ingest export --format parquet` for the articles
and the wide stories table, each in its own process, and reports its wall time and peak RSS
(`ru_maxrss` of the finished child). The baseline, measured in the same run over the same
database, builds the whole table in memory first (`pa.Table.from_pylist(list(...))`), which
is what a non-streaming export costs. Target: peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from unn_ingest.extractors.records import (
    AnalysedArticle,
    ArticleFeatures,
    ExtractedArticle,
    LanguageTag,
)
from unn_ingest.storage import Store, StoryGroup, StoryMember

EDITIONS = ("uk", "en", "ru")
WORDS = [
    "уряд",
    "область",
    "атака",
    "енергетика",
    "вибух",
    "ракета",
    "місто",
    "депутат",
    "закон",
    "бюджет",
    "суд",
    "слідство",
    "president",
    "region",
    "attack",
    "energy",
    "drone",
    "city",
    "council",
    "court",
    "budget",
    "minister",
    "grid",
    "правительство",
    "область",
    "атака",
    "энергетика",
    "город",
    "депутат",
    "закон",
    "бюджет",
    "суд",
]
BATCH = 1000
MATERIALISED = """
import sys, pyarrow as pa, pyarrow.parquet as pq
from unn_ingest.storage import Store
with Store.open(sys.argv[1]) as store:
    rows = list(store.iter_export())
pq.write_table(pa.Table.from_pylist(rows), sys.argv[2])
"""


def generated_input(n: int, rng: random.Random, start: datetime) -> AnalysedArticle:
    """Return article n: edition n % 3 of story n // 3, about 2 KB of body."""
    edition = EDITIONS[n % 3]
    story = n // 3
    paragraphs = tuple(" ".join(rng.choices(WORDS, k=50)) + "." for _ in range(6))
    page = ExtractedArticle(
        url=f"https://unn.ua/{edition}/news/story-{story}",
        edition=edition,
        slug=f"story-{story}",
        title=" ".join(rng.choices(WORDS, k=9)),
        lead=" ".join(rng.choices(WORDS, k=25)),
        paragraphs=paragraphs,
        authors=("Автор Новин",),
        rubric="Politics",
        tags=("war", "energy"),
        image_url=f"https://unn.ua/img/{story}.webp",
        published_at=start + timedelta(minutes=5 * story + n % 3),
        extractor_version="bench-1",
    )
    digest = hashlib.sha256(page.body.encode()).hexdigest()
    words = sum(len(p.split()) for p in paragraphs)
    # The store never reads the matching features: blank ones keep the fill's timing as it was.
    features = ArticleFeatures(0, edition, page.published_at, None, frozenset(), frozenset(), 0)
    lang = LanguageTag(edition, 0.99, "langdetect")
    return AnalysedArticle(page, lang, False, digest, None, words, start, features, frozenset())


def fill(url: str, articles: int) -> float:
    """Store `articles` generated articles joined into stories of three; return seconds."""
    rng = random.Random(12)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    with Store.open(url) as store:
        for first in range(0, articles, BATCH):
            inputs = [
                generated_input(n, rng, start) for n in range(first, min(first + BATCH, articles))
            ]
            ids = [o.article_id for o in store.upsert_articles(inputs)]
            groups = [
                StoryGroup(tuple(StoryMember(i, "hreflang", None) for i in ids[k : k + 3]))
                for k in range(0, len(ids), 3)
            ]
            store.apply_story_groups(groups)
    return time.perf_counter() - started


def run_measured(command: list[str]) -> dict[str, float]:
    """Run a command; return its wall seconds and peak RSS in MB (Linux ru_maxrss, in KB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{command} failed: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
        )
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Keep (or reuse) the filled database here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        database = args.keep or Path(work) / "records.sqlite3"
        url = f"sqlite:///{database}"
        fill_seconds = 0.0 if database.exists() else fill(url, args.articles)
        cli = [sys.executable, "-m", "unn_ingest", "export", "--format", "parquet", "--db", url]
        result: dict[str, Any] = {
            "articles": args.articles,
            "database_mb": round(database.stat().st_size / 2**20, 1),
            "fill_seconds": round(fill_seconds, 1),
            "streamed_articles": run_measured([*cli, "--out", f"{work}/a.parquet"]),
            "streamed_stories": run_measured(
                [*cli, "--table", "stories", "--out", f"{work}/s.parquet"]
            ),
            "baseline_materialised_articles": run_measured(
                [sys.executable, "-c", MATERIALISED, url, f"{work}/m.parquet"]
            ),
            "parquet_mb": round(Path(work, "a.parquet").stat().st_size / 2**20, 1),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
