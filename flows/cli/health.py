"""`unn-ingest health`: is the pipeline keeping up? For the last 24 hours and 30 days.

The report is a list of sections, each a function from the store and the moment to rows
(plain dicts), so that more can be added beside them: freshness per edition (minutes from
publication to storage, p50/p95/max, and articles discovered but not stored), new articles
per hour per edition, open coverage gaps (with the backfill command), failures by kind and
stage, articles the site removed, articles waiting for linking, and the share of articles
with each field. It reads only: it never creates a database or a folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from unn_ingest.extractors import clock
from unn_ingest.flows.cli.options import (
    DataDir,
    Db,
    JsonOut,
    console,
    note,
    print_json,
    user_errors,
)

Rows = list[dict[str, Any]]
WINDOWS = (("24h", timedelta(hours=24)), ("30d", timedelta(days=30)))
EDITIONS = ("uk", "en", "ru")


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the report: a title, its columns and the function that reads its rows."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: Callable[[Any, datetime], Rows]  # (store, now) -> rows


def freshness_rows(store: Any, now: datetime) -> Rows:
    """Per window and edition: articles published in it and stored, lag p50/p95/max in minutes,
    and articles discovered in it but not stored."""
    from unn_ingest.flows.freshness import lag_figures, lag_minutes

    rows: Rows = []
    for window, span in WINDOWS:
        lags: dict[str, list[float]] = {ed: [] for ed in EDITIONS}
        for edition, published, seen in store.publish_lags(now - span, now):
            lags.setdefault(edition, []).append(lag_minutes(published, seen))
        missing = Counter(_edition_of(url) for url in store.unstored_urls(now - span))
        for edition, values in lags.items():
            figures = lag_figures(values)
            rows.append(
                {"window": window, "edition": edition, "articles": len(values)}
                | figures
                | {"missing": missing.get(edition, 0)}
            )
    return rows


def arrival_rows(store: Any, now: datetime) -> Rows:
    """Per window and edition: articles first stored in it, and how many per hour."""
    rows: Rows = []
    for window, span in WINDOWS:
        counts = store.arrivals(now - span)
        hours = span.total_seconds() / 3600
        for edition in sorted({*EDITIONS, *counts}, key=_edition_order):
            new = int(counts.get(edition, 0))
            rows.append(
                {
                    "window": window,
                    "edition": edition,
                    "new": new,
                    "per_hour": round(new / hours, 1),
                }
            )
    return rows


def gap_rows(store: Any, now: datetime) -> Rows:
    """The open coverage gaps, with the command that fills each."""
    from unn_ingest.flows.cli.failures import gap_row

    return [
        {k: row[k] for k in ("edition", "from", "to", "found_at", "command")}
        for row in (gap_row(g) for g in store.gaps())
    ]


def failure_rows(store: Any, now: datetime) -> Rows:
    """Per window: URLs whose last attempt failed, by kind and stage."""
    rows: Rows = []
    for window, span in WINDOWS:
        counts = Counter((f.kind, f.stage or "fetch") for f in store.failures(now - span))
        for (kind, stage), count in sorted(counts.items()):
            rows.append({"window": window, "kind": kind, "stage": stage, "urls": count})
    return rows


def removed_rows(store: Any, now: datetime) -> Rows:
    """Per window and edition: stored articles the site has since removed (404/410)."""
    rows: Rows = []
    for window, span in WINDOWS:
        counts = Counter(a.edition for a in store.removed_since(now - span))
        for edition, count in sorted(counts.items(), key=lambda kv: _edition_order(kv[0])):
            rows.append({"window": window, "edition": edition, "removed": count})
    return rows


def field_rows(store: Any, now: datetime) -> Rows:
    """Per field: the share of the articles fetched in the last 30 days that have it, by
    edition (a field that stops being found after a redesign shows here)."""
    found = {c.edition: c for c in store.field_completeness(since=now - WINDOWS[-1][1])}
    if not any(c.articles for c in found.values()):
        return []
    from unn_ingest.storage import COMPLETENESS_FIELDS

    return [
        {"field": name}
        | {ed: _percent(found[ed].share(name)) if ed in found else None for ed in EDITIONS}
        for name in COMPLETENESS_FIELDS
    ]


def link_debt_rows(store: Any, now: datetime) -> Rows:
    """Articles stored but not yet through story formation and content linking (a run that
    died first left them; the next run covering their day links them)."""
    waiting = store.link_debt_count()
    return [{"waiting": waiting}] if waiting else []


def _percent(share: float | None) -> str | None:
    return None if share is None else f"{share:.0%}"


SECTIONS: list[Section] = [
    Section(
        "freshness",
        "freshness: minutes from publication to storage (articles published in the window)",
        ("window", "edition", "articles", "p50", "p95", "max", "missing"),
        freshness_rows,
    ),
    Section(
        "new",
        "new articles stored",
        ("window", "edition", "new", "per_hour"),
        arrival_rows,
    ),
    Section(
        "gaps",
        "open gaps (spans no run listed)",
        ("edition", "from", "to", "found_at", "command"),
        gap_rows,
    ),
    Section(
        "failures", "failed URLs (last attempt)", ("window", "kind", "stage", "urls"), failure_rows
    ),
    Section(
        "removed",
        "articles the site removed (404/410 on a revisit; kept with their revisions)",
        ("window", "edition", "removed"),
        removed_rows,
    ),
    Section(
        "link_debt",
        "articles waiting for linking (the next run covering their day links them)",
        ("waiting",),
        link_debt_rows,
    ),
    Section(
        "fields",
        "fields found (share of the articles fetched in the last 30 days)",
        ("field", *EDITIONS),
        field_rows,
    ),
]


def health(db: Db = None, data_dir: DataDir = None, json_out: JsonOut = False) -> None:
    """Show freshness, new articles per hour, gaps, failures, removals and fields found
    (last 24 hours and 30 days)."""
    from unn_ingest.flows.cli.read import open_store

    now = clock.now()
    with user_errors(), open_store(db, data_dir) as store:
        report = {s.name: s.rows(store, now) for s in SECTIONS}
    if _empty(report):
        note("nothing was stored, found missing or failed in the last 30 days")
    if json_out:
        print_json({"now": now.isoformat(), **report})
        return
    if not _empty(report):
        console.print(render(report, SECTIONS, now), highlight=False, markup=False, soft_wrap=True)


def _empty(report: dict[str, Rows]) -> bool:
    """Tell whether no section has anything to say (counts of zero do not count)."""
    counted = ("articles", "missing", "new")
    return not any(row.get(k) for row in report["freshness"] + report["new"] for k in counted) and (
        not report["gaps"]
        and not report["failures"]
        and not report["removed"]
        and not report["link_debt"]
    )


def render(report: dict[str, Rows], sections: Sequence[Section], now: datetime) -> str:
    """Return the report as plain text: a heading and aligned columns per section."""
    lines = [f"health at {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC"]
    for section in sections:
        lines += ["", section.title]
        rows = report[section.name]
        if not rows:
            lines.append("  none")
            continue
        cells = [list(section.columns)] + [[_cell(r[c]) for c in section.columns] for r in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(section.columns))]
        lines += ["  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                  for row in cells]  # fmt: skip
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M}"
    return str(value)


def _edition_of(url: str) -> str:
    """Return the edition of an article URL by its path (the profile's pattern)."""
    from unn_ingest.extractors.urls import article_key

    key = article_key(urlsplit(url).path, _profile())
    return key.edition if key else "?"


@lru_cache(maxsize=1)
def _profile() -> Any:
    from unn_ingest.config import Settings, load_profile

    return load_profile(Settings().profile)


def _edition_order(edition: str) -> tuple[int, str]:
    return (EDITIONS.index(edition) if edition in EDITIONS else len(EDITIONS), edition)


def register(app: Any) -> None:
    """Add the `health` command to the CLI."""
    app.command()(health)
