"""Benchmark content linking at 10k, 30k and 100k generated articles: `python -m bench.linking`.

Each size runs in its own process (so peak RSS is its own) on one core: build the replica's
catalogue (not timed), then time what the pipeline does for a window of articles with no
explicit links — content features, edition matching, story formation, near-duplicate
fingerprints (originals looked for within 2 days) — and report seconds (wall and CPU),
articles/s, CPU milliseconds per article by stage, peak RSS, pairwise precision/recall, and
the scaling ratio (time at the largest size / time at the smallest ÷ the size ratio, on CPU
time; 1.0 is linear), with the machine's load average.

By default the generated stories are spread over one day per 1,000 articles, about UNN's own
output; `--dense` keeps the replica's 14 days at every size (up to ~7x UNN's density).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

from bench.stages import load_average

SIZES = (10_000, 30_000, 100_000)
# The pipeline looks for originals among the stored articles of a day or two (flows/linker.py).
DUPLICATE_WINDOW = timedelta(days=2)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(articles: int, dense: bool, seed: int = 1) -> dict[str, Any]:
    """Build a catalogue of about `articles` articles and time linking them by content."""
    from unn_ingest.extractors.fingerprint import find_duplicates
    from unn_ingest.extractors.linking import LinkNode, form_stories
    from unn_ingest.extractors.matching import match_editions
    from unn_ingest.flows.evaluation.linking import _fingerprint, load_articles, pairwise
    from unn_ingest.replica.catalogue import build_catalogue, stories_for_articles

    days = 14 if dense else max(14, round(articles / 1000))
    catalogue = build_catalogue(seed=seed, generated=stories_for_articles(articles), days=days)
    stories = [s for s in catalogue.stories if not s.handwritten]
    rss_before = _rss_mb()
    load = load_average()
    cpu_started = time.process_time()
    started = time.perf_counter()
    clock = _Stages()
    loaded = load_articles(stories)
    clock.lap("features")
    features = [a.features for a in loaded]
    edges = match_editions(features, features)
    clock.lap("matching")
    nodes = [LinkNode(a.article_id, a.text.edition, a.story.published_at) for a in loaded]
    groups = form_stories(nodes, edges)
    clock.lap("stories")
    prints = [_fingerprint(a) for a in loaded]
    clock.lap("fingerprints")
    duplicates = find_duplicates(prints, prints, window=DUPLICATE_WINDOW)
    clock.lap("duplicates")
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    times = clock.wall
    linking = times["features"] + times["matching"] + times["stories"]
    predicted = {m.article_id: n for n, group in enumerate(groups) for m in group}
    scores = pairwise(predicted, {a.article_id: a.truth for a in loaded}, set(predicted))
    return {
        "articles": len(loaded),
        "days": days,
        "seconds": round(total, 2),
        "cpu_seconds": round(cpu, 2),
        "linking_seconds": round(linking, 2),
        "articles_per_s": round(len(loaded) / cpu),
        "stages": {k: round(v, 2) for k, v in times.items()},
        "cpu_ms_per_article": {k: round(v * 1000 / len(loaded), 3) for k, v in clock.cpu.items()},
        "load_average_before_after": [load, load_average()],
        "peak_rss_mb": round(_rss_mb()),
        "catalogue_rss_mb": round(rss_before),
        "precision": scores["precision"],
        "recall": scores["recall"],
        "duplicates": len(duplicates),
    }


class _Stages:
    """Wall and CPU seconds of consecutive stages."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[name], self.cpu[name] = wall - self._wall, cpu - self._cpu
        self._wall, self._cpu = wall, cpu


def _child(articles: int, dense: bool) -> dict[str, Any]:
    """Run one size in a fresh process pinned to one core; return its report."""
    command = [sys.executable, "-m", "bench.linking", "--one", str(articles)]
    if dense:
        command.append("--dense")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    if hasattr(os, "sched_setaffinity"):
        command = ["taskset", "-c", "0", *command] if _has_taskset() else command
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


def _has_taskset() -> bool:
    return any(
        os.access(os.path.join(p, "taskset"), os.X_OK) for p in os.environ["PATH"].split(":")
    )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark at every size and print a table (or JSON with --json)."""
    parser = argparse.ArgumentParser(prog="python -m bench.linking")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dense", action="store_true", help="14 days at every size")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.dense)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = [_child(n, args.dense) for n in sizes]
    first, last = rows[0], rows[-1]
    # CPU time: the machine may be shared, and one core's work is what scales.
    scaling = (last["cpu_seconds"] / first["cpu_seconds"]) / (last["articles"] / first["articles"])
    if args.json:
        print(json.dumps({"rows": rows, "scaling_ratio": round(scaling, 3)}, indent=2))
        return
    for line in _table(rows, scaling):
        print(line)


def _table(rows: list[dict[str, Any]], scaling: float) -> list[str]:
    """Format the rows as a plain table."""
    lines = [
        f"{'articles':>9} {'days':>5} {'wall s':>7} {'CPU s':>7} {'linking s':>9} "
        f"{'art/s':>6} {'RSS MB':>7} {'P':>6} {'R':>6}  stages (s)"
    ]
    for r in rows:
        lines.append(
            f"{r['articles']:>9} {r['days']:>5} {r['seconds']:>7.1f} {r['cpu_seconds']:>7.1f} "
            f"{r['linking_seconds']:>9.1f} {r['articles_per_s']:>6} {r['peak_rss_mb']:>7} "
            f"{r['precision']:>6.4f} {r['recall']:>6.4f}  {r['stages']}"
        )
        lines.append(f"{'':>9} CPU ms per article: {r['cpu_ms_per_article']}")
        lines.append(f"{'':>9} load average before, after: {r['load_average_before_after']}")
    lines.append(
        f"scaling ratio (CPU s at largest / CPU s at smallest / size ratio): {scaling:.2f}"
    )
    return lines


if __name__ == "__main__":
    main()
