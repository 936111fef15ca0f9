"""The figures of `bench.live`: what the simulated days delivered and cost, from the replica's
ground truth, its request counters and the store."""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

DISCOVERY_KINDS = ("feed", "listing", "home")
FEED_SIZE = 100  # items per feed: an article is "listed" while fewer are newer than it
POLITENESS_RPS = 1.0  # the live site's budget (the profile's requests per second)
SETTLE = timedelta(hours=1)  # after the start, a stop or an outage: not steady state yet


@dataclass(frozen=True)
class Tick:
    """One scheduled run: when, how it ended, its summary, the site's counters around it."""

    at: datetime
    state: str
    summary: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    peak_rss_mb: float

    def requests(self) -> dict[str, int]:
        """Return the site's requests during the run, by kind, with revisits apart."""
        kinds = set(self.before["requests"]) | set(self.after["requests"])
        delta = {
            k: self.after["requests"].get(k, 0) - self.before["requests"].get(k, 0) for k in kinds
        }
        revisits = self.after["revisits"] - self.before["revisits"]
        articles = sum(delta.get(k, 0) for k in ("article", "removed", "moved", "not_found"))
        return {
            "discovery": sum(delta.get(k, 0) for k in DISCOVERY_KINDS),
            "first_fetch": articles - revisits,
            "revisits": revisits,
            "other": sum(delta.values()) - articles - sum(delta.get(k, 0) for k in DISCOVERY_KINDS),
        }

    def new(self) -> int:
        """Return the articles this run stored for the first time."""
        editions = self.summary.get("editions", {}) if isinstance(self.summary, dict) else {}
        return int(editions.get("total", {}).get("new", 0))


def figures(
    args: argparse.Namespace,
    ticks: list[Tick],
    truth: dict[str, Any],
    data_dir: Path,
    spans: dict[str, tuple[datetime, datetime]],
) -> dict[str, Any]:
    """Return every figure of the benchmark."""
    from unn_ingest.storage import Store

    start = ticks[0].at if ticks else datetime.min
    with Store.open(f"sqlite:///{data_dir / 'unn-ingest.sqlite3'}") as store:
        views = {a["url"]: store.article(a["url"]) for a in truth["articles"]}
        rows = list(store.iter_export())
        removed_rows = {r.url: r for r in store.removed_since(None)}
        moved_views = {m["to"]: store.article(m["to"]) for m in truth.get("moved", [])}
    steady = _steady(start, spans)
    return {
        "simulated": f"{args.days:g} days from {start:%Y-%m-%d %H:%M}Z, {len(ticks)} runs",
        "runs_failed": sum(1 for t in ticks if t.state != "completed"),
        **_coverage(truth, views, rows, start),
        "freshness_minutes_steady": _freshness(truth, views, lambda when: steady(when, True)),
        "freshness_minutes_all": _freshness(truth, views, lambda when: when >= start),
        "requests_per_new_article": {
            "steady": _cost([t for t in ticks if steady(t.at, False)]),
            "whole_run": _cost(ticks),
        },
        "corrections": _corrections(truth, views, ticks[-1].at if ticks else start),
        "removals": _removals(truth, removed_rows, start),
        "moves": _moves(truth, moved_views, start),
        "peak_rss_mb_per_day": _rss_per_day(ticks, start),
        **_growth(data_dir, len(rows)),
    }


def _steady(start: datetime, spans: dict[str, tuple[datetime, datetime]]) -> Any:
    """Return a test of "steady state" for an instant: past the first hour, outside the stop
    and the outage and the hour after each (for publications: also not before the start)."""

    def steady(when: datetime, published: bool) -> bool:
        if when < start + (SETTLE if not published else timedelta(0)):
            return False
        return not any(a <= when < b + SETTLE for a, b in spans.values())

    return steady


def _coverage(
    truth: dict[str, Any], views: dict[str, Any], rows: list[dict[str, Any]], start: datetime
) -> dict[str, Any]:
    """Coverage of what the site published while the pipeline was scheduled (an edition that
    became visible at or after the first run: what scheduled runs alone must find), beside
    that of the whole catalogue (its earlier days need a backfill, which this does not run)."""
    urls = {a["url"] for a in truth["articles"]}
    window = [a for a in truth["articles"] if _time(a["visible_from"]) >= start]
    stored = sum(1 for url in urls if views.get(url) is not None)
    extra = [r for r in rows if r["url"] not in urls and r["removed_at"] is None]
    by_edition: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for article in window:
        by_edition[article["edition"]][1] += 1
        by_edition[article["edition"]][0] += views.get(article["url"]) is not None
    found = sum(s for s, _ in by_edition.values())
    missed = sorted(a["url"] for a in window if views.get(a["url"]) is None)
    return {
        "coverage": round(found / len(window), 4) if window else None,
        "coverage_by_edition": {e: f"{s}/{n}" for e, (s, n) in sorted(by_edition.items())},
        "missed": missed[:10],
        "coverage_whole_catalogue": round(stored / len(urls), 4) if urls else None,
        "duplicates": len(extra),
    }


def _freshness(truth: dict[str, Any], views: dict[str, Any], wanted: Any) -> dict[str, Any]:
    """Minutes from an edition's appearance (`visible_from`) to its storage, per edition."""
    minutes: dict[str, list[float]] = defaultdict(list)
    for article in truth["articles"]:
        view = views.get(article["url"])
        appeared = _time(article["visible_from"])
        if view is None or not wanted(appeared):
            continue
        minutes[article["edition"]].append((view.first_seen_at - appeared).total_seconds() / 60)
    return {edition: _percentiles(values) for edition, values in sorted(minutes.items())}


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"n": len(ordered), "p50": pick(0.5), "p95": pick(0.95), "max": round(ordered[-1], 1)}


def _cost(ticks: list[Tick]) -> dict[str, Any]:
    totals: dict[str, int] = defaultdict(int)
    for tick in ticks:
        for kind, count in tick.requests().items():
            totals[kind] += count
    new = sum(t.new() for t in ticks)
    per = {k: round(v / new, 2) if new else None for k, v in totals.items()}
    all_requests = sum(totals.values())
    budget = POLITENESS_RPS * 600 * len(ticks)  # a run every 10 minutes
    return {
        "runs": len(ticks),
        "new_articles": new,
        "requests": dict(totals),
        "per_new_article": per,
        "total_per_new_article": round(all_requests / new, 2) if new else None,
        "share_of_politeness_budget": round(all_requests / budget, 4) if budget else None,
    }


def _corrections(truth: dict[str, Any], views: dict[str, Any], end: datetime) -> dict[str, Any]:
    """Corrections of stored articles made while the article was still in its feed; of those
    not caught, how many are of articles still in their feed when the simulation ended (their
    last look before leaving the feed had not come yet)."""
    listed, caught, pending, delays = 0, 0, 0, []
    articles = truth["articles"]
    for article in articles:
        view = views.get(article["url"])
        for revision in article["revisions"]:
            at = _time(revision["at"])
            if view is None or view.first_seen_at >= at or not _in_feed(article, articles, at):
                continue
            listed += 1
            changed = [r.valid_until for r in view.revisions if r.valid_until >= at]
            if changed and view.title == article["title"]:
                caught += 1
                delays.append((min(changed) - at).total_seconds() / 60)
            else:
                pending += _in_feed(article, articles, end)
    return {
        "made_while_listed": listed,
        "caught": caught,
        "share": round(caught / listed, 4) if listed else None,
        "missed_still_listed_at_end": pending,
        "median_delay_minutes": round(statistics.median(delays), 1) if delays else None,
    }


def _in_feed(article: dict[str, Any], articles: list[dict[str, Any]], at: datetime) -> bool:
    published = article["published_at"]
    newer = sum(
        1
        for other in articles
        if other["edition"] == article["edition"]
        and other["published_at"] > published
        and _time(other["visible_from"]) <= at
    )
    return newer < FEED_SIZE


def _removals(truth: dict[str, Any], marked: dict[str, Any], start: datetime) -> dict[str, Any]:
    """Removals made once the pipeline was running (earlier ones it never saw published)."""
    removed = [r for r in truth.get("removed", []) if _time(r["removed_at"]) >= start]
    found = [(r, marked[r["url"]]) for r in removed if r["url"] in marked]
    delays = [(row.removed_at - _time(r["removed_at"])).total_seconds() / 60 for r, row in found]
    return {
        "made": len(removed),
        "marked": len(found),
        "median_delay_minutes": round(statistics.median(delays), 1) if delays else None,
    }


def _moves(truth: dict[str, Any], views: dict[str, Any], start: datetime) -> dict[str, Any]:
    moved = [m for m in truth.get("moved", []) if _time(m["at"]) >= start]
    recorded = [
        m for m in moved if (v := views.get(m["to"])) is not None and v.moved_from == m["from"]
    ]
    return {"made": len(moved), "recorded_as_moves": len(recorded)}


def _rss_per_day(ticks: list[Tick], start: datetime) -> dict[str, float]:
    days: dict[int, float] = defaultdict(float)
    for tick in ticks:
        day = (tick.at - start).days + 1
        days[day] = max(days[day], tick.peak_rss_mb)
    return {f"day {d}": round(mb, 1) for d, mb in sorted(days.items())}


def _growth(data_dir: Path, articles: int) -> dict[str, Any]:
    database = (data_dir / "unn-ingest.sqlite3").stat().st_size
    warc = sum(p.stat().st_size for p in (data_dir / "warc").rglob("*") if p.is_file())
    per = 1000 / articles if articles else 0
    return {
        "articles_stored": articles,
        "database_mb_per_1000_articles": round(database * per / 2**20, 2),
        "warc_mb_per_1000_articles": round(warc * per / 2**20, 2),
    }


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
