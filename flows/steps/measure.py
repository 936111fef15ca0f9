"""Freshness of the publication days a run touched, measured on the whole database.

A run's own figures cover the articles it stored; the trend's row for a publication day
covers every article of that day stored so far, by whichever run, so it is read back here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.freshness import lag_figures, lag_minutes


def measure_days(ctx: RunContext) -> None:
    """Fill the report's per-day freshness for each (publication day, edition) it touched."""
    days = sorted({day for day, _ in ctx.report.freshness.days()})
    if not days:
        return
    zone = ctx.zone()
    start = datetime.combine(days[0], time.min, zone).astimezone(UTC)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, zone).astimezone(UTC)
    with ctx.db_lock:
        rows = ctx.store.publish_lags(start, end)
    lags: dict[tuple[date, str], list[float]] = defaultdict(list)
    for edition, published_at, first_seen_at in rows:
        day = published_at.astimezone(zone).date()
        lags[(day, edition)].append(lag_minutes(published_at, first_seen_at))
    for key in ctx.report.freshness.days():
        ctx.report.freshness.day_lags[key] = lag_figures(lags.get(key, []))


def tally_missing(ctx: RunContext, items: Sequence[DiscoveredItem]) -> None:
    """Count the discovered articles not stored at the run's end (per edition and day)."""
    with ctx.db_lock:
        stored = ctx.store.known_article_urls(i.url for i in items)
    zone = ctx.zone()
    ctx.report.freshness.set_missing(
        (i.published_at.astimezone(zone).date() if i.published_at else None, i.edition)
        for i in items
        if i.url not in stored
    )
