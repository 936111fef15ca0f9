"""Benchmark: days of scheduled `ingest` runs against a living replica, in simulated time.

    python -m bench.live [--days 3] [--stories-per-day 150] [--seed 7]

A real 3-day run is impossible in a benchmark, so the 10-minute schedule is simulated with a
discrete clock: for each scheduled instant the replica's clock and the pipeline's clock
(`extractors/clock.py`) are both set to it, and the very `ingest` flow the schedule runs is
run in this process (Prefect's temporary server, SQLite, the WARC archive). The replica
publishes through the day (more by day than at night), translations appear minutes to hours
after the original, some articles are corrected, unpublished (404/410) or moved (301); the
pipeline is stopped for 12 hours on the first night and the site is down (503) for 2 hours
on the second day. Everything reported is measured; nothing is backfilled by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.live_figures import Tick, figures
from bench.pipeline import peak_rss_mb, reset_peak_rss

START = datetime(2025, 11, 20, 0, 0, tzinfo=UTC)
SCHEDULE = timedelta(minutes=10)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, default=3.0, help="simulated days")
    parser.add_argument("--stories-per-day", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--removed-share", type=float, default=0.01)
    parser.add_argument("--moved-share", type=float, default=0.005)
    parser.add_argument("--stop-hours", type=float, default=12.0, help="pipeline stopped")
    parser.add_argument("--stop-at-hours", type=float, default=20.0, help="from this hour on")
    parser.add_argument("--outage-hours", type=float, default=2.0, help="site down (503)")
    parser.add_argument("--outage-at-hours", type=float, default=34.0, help="from this hour")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def windows(args: argparse.Namespace) -> dict[str, tuple[datetime, datetime]]:
    """Return the pipeline's stop and the site's outage, in simulated time."""
    stop = START + timedelta(hours=args.stop_at_hours)
    outage = START + timedelta(hours=args.outage_at_hours)
    return {
        "stop": (stop, stop + timedelta(hours=args.stop_hours)),
        "outage": (outage, outage + timedelta(hours=args.outage_hours)),
    }


@contextmanager
def pipeline_settings(data_dir: Path) -> Iterator[None]:
    """Point the pipeline at a temporary data folder with the replica's pacing (none)."""
    values = {
        "UNN_INGEST_DATA_DIR": str(data_dir),
        "UNN_INGEST_REQUESTS_PER_SECOND": "0",
        "UNN_INGEST_MAX_CONCURRENCY": "8",
    }
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    os.environ.pop("UNN_INGEST_DB_URL", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def simulate(args: argparse.Namespace, data_dir: Path, harness: bool = True) -> dict[str, Any]:
    """Run the schedule over the simulated days; return the measured figures (`harness`:
    start Prefect's temporary server; False when the caller already has one)."""
    from prefect.testing.utilities import prefect_test_harness

    from unn_ingest.extractors import clock
    from unn_ingest.flows.ingest import ingest
    from unn_ingest.replica.catalogue import build_catalogue
    from unn_ingest.replica.live import LivePlan, Outage
    from unn_ingest.replica.server import ReplicaServer
    from unn_ingest.replica.site import ReplicaSite

    spans = windows(args)
    live_days = max(1, int(-(-args.days // 1)))
    generated = int(args.stories_per_day * (1 + live_days))
    catalogue = build_catalogue(args.seed, generated, START, days=1, live_days=live_days)
    outage = Outage(*spans["outage"], kind="503")
    plan = LivePlan(args.removed_share, args.moved_share, (outage,))
    site = ReplicaSite(catalogue, None, "a", plan)
    pipeline_clock = clock.FixedClock(START)
    ticks: list[Tick] = []
    end = START + timedelta(days=args.days)
    with (
        pipeline_settings(data_dir),
        prefect_test_harness(server_startup_timeout=180) if harness else nullcontext(),
        ReplicaServer(site) as server,
        clock.use_clock(pipeline_clock),
    ):
        now = START
        while now <= end:
            site.clock.set(now)
            pipeline_clock.at = now
            stopped = spans["stop"][0] <= now < spans["stop"][1]
            if not stopped:
                ticks.append(run_tick(site, now, lambda: ingest(None, server.base_url)))
            now += SCHEDULE
        truth = site.truth()
    return figures(args, ticks, truth, data_dir, spans)


def run_tick(site: Any, now: datetime, run: Any) -> Tick:
    """Run one scheduled ingest at `now`; return what it did and what it cost the site."""
    before = site.stats.as_dict()
    if now.hour == 0 and now.minute == 0:
        reset_peak_rss()
    try:
        summary: dict[str, Any] = asyncio.run(run())
        state = "completed"
    except Exception as exc:  # a run that failed (the site down) is a figure, not the end
        summary, state = {}, f"failed: {type(exc).__name__}"
    after = site.stats.as_dict()
    return Tick(now, state, summary, before, after, peak_rss_mb())


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="unn-live-") as folder:
        result = simulate(args, Path(folder))
    if args.json:
        print(json.dumps(result, indent=1, default=str))
        return
    for key, value in result.items():
        print(f"{key}: {json.dumps(value, default=str)}")


if __name__ == "__main__":
    main()
