"""Benchmark: `reprocess` over an archive of 1,000+ articles, against bare trafilatura.

    python -m bench.reprocess [--articles 1100]

A backfill from the replica (in its own process) fills an archive; the replica is then
stopped. `reprocess` (the real Prefect flow, a worker per core) re-extracts every archived
article page; the baseline is bare single-core `trafilatura.extract` over the very same pages,
measured in the same run. Prints both rates, their ratio, CPU milliseconds per page by stage
(main process and workers, `bench/stages.py`) beside bare trafilatura's, and whether reprocess
reproduced the stored records (it must change nothing: the extractor is the same).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.pipeline import start_replica, window
from bench.stages import CpuMark, ms_per_article


def archive_and_stop(wanted: int, data_dir: Path) -> tuple[int, str]:
    """Backfill ~`wanted` articles into data_dir (archive on), then stop the replica."""
    from unn_ingest.flows.ingest import backfill
    from unn_ingest.replica.catalogue import stories_for_articles

    process, base = start_replica(stories_for_articles(int(wanted * 1.3)))
    try:
        articles = httpx.get(base + "/__truth__", timeout=120).json()["articles"]
        _, day_from, day_to = window(articles, wanted)
        summary: dict[str, Any] = asyncio.run(
            backfill(day_from, day_to, None, base, None, str(data_dir))
        )
    finally:
        process.terminate()
        process.wait()
    return int(summary["editions"]["total"]["new"]), base


def bare_trafilatura(data_dir: Path, origin: str) -> tuple[int, float, float]:
    """Return (pages, wall seconds, CPU seconds) of bare trafilatura.extract over the archived
    article pages."""
    import trafilatura

    from unn_ingest.config import load_profile
    from unn_ingest.extractors.urls import article_key
    from unn_ingest.flows.fetch.archive import read_archive

    profile = load_profile(origin=origin)
    pages = [
        p.body.decode("utf-8", "replace")
        for p in read_archive(data_dir / "warc")
        if p.status == 200 and article_key(p.requested_url, profile)
    ]
    started, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        trafilatura.extract(page, include_comments=False)
    return len(pages), time.perf_counter() - started, time.process_time() - cpu


def archive_bytes(folder: Path, origin: str) -> dict[str, int]:
    """Return the compressed bytes of the archive by what was fetched (records and counts)."""
    from warcio.archiveiterator import ArchiveIterator

    from unn_ingest.config import load_profile
    from unn_ingest.extractors.urls import article_key

    profile = load_profile(origin=origin)
    sizes: dict[str, int] = {}
    for path in folder.glob("*.warc.gz"):
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                records.read_to_end()
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                kind = (
                    record.rec_type
                    if record.rec_type in ("warcinfo", "revisit")
                    else ("article" if article_key(url, profile) else "other")
                )
                if record.rec_type == "request":
                    kind += " request"
                sizes[kind] = sizes.get(kind, 0) + records.get_record_length()
                if record.rec_type in ("response", "revisit"):
                    sizes[f"{kind} count"] = sizes.get(f"{kind} count", 0) + 1
    return dict(sorted(sizes.items()))


def run_reprocess(data_dir: Path, origin: str) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """Return the wall seconds, the summary and the CPU ms per page by stage of a reprocess."""
    from unn_ingest.flows.reprocess import reprocess

    started, before = time.perf_counter(), CpuMark.now()
    summary: dict[str, Any] = asyncio.run(reprocess(data_dir=str(data_dir), origin=origin))
    seconds, after = time.perf_counter() - started, CpuMark.now()
    return seconds, summary, ms_per_article(before, after, summary["archive"]["pages"])


def measure(wanted: int) -> dict[str, Any]:
    """Fill an archive, stop the site, time reprocess and bare trafilatura over the pages."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        stored, origin = archive_and_stop(wanted, data_dir)
        seconds, summary, stages = run_reprocess(data_dir, origin)
        pages, bare_seconds, bare_cpu = bare_trafilatura(data_dir, origin)
        warc_bytes = sum(p.stat().st_size for p in (data_dir / "warc").glob("*.warc.gz"))
        by_kind = archive_bytes(data_dir / "warc", origin)
    totals = summary["editions"]["total"]
    rate, bare_rate = summary["archive"]["pages"] / seconds, pages / bare_seconds
    return {
        "articles_stored": stored,
        "archived_article_pages": summary["archive"]["pages"],
        "cores": os.cpu_count(),
        "reprocess_seconds": round(seconds, 2),
        "reprocess_pages_per_s": round(rate, 1),
        "bare_trafilatura_pages_per_s": round(bare_rate, 1),
        "ratio_reprocess_to_bare": round(rate / bare_rate, 2),
        "reproduced_exactly": totals["new"] == 0 and totals["updated"] == 0,
        "cpu_ms_per_page": {
            "reprocess (main process and workers)": stages,
            "bare trafilatura": round(bare_cpu * 1000 / max(pages, 1), 2),
        },
        "reprocess_phase_seconds": summary["seconds"],
        "unchanged": totals["unchanged"],
        "warc_bytes": warc_bytes,
        "warc_bytes_per_article": round(warc_bytes / max(stored, 1)),
        "warc_bytes_by_kind": by_kind,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1100)
    args = parser.parse_args()
    os.environ.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        UNN_INGEST_REQUESTS_PER_SECOND="0",
        UNN_INGEST_MAX_CONCURRENCY="8",
    )
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):  # a loaded machine starts slowly
        print(json.dumps(measure(args.articles), indent=2))


if __name__ == "__main__":
    main()
