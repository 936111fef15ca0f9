"""Catch-up bookkeeping: per-edition watermarks and the coverage gaps left past the horizon.

A watermark is the newest publish time up to which an edition's listings were read by a
completed `ingest` run; the next run reads back to it. It only moves forward. A gap is a span
of publish times a run did not walk (older than its horizon): it stays open until a backfill
over it completes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from unn_ingest.storage.models import CoverageGap, EditionWatermark
from unn_ingest.storage.sql import insert


@dataclass(frozen=True, slots=True)
class GapRow:
    """A span of one edition's publish times that no run has listed (yet)."""

    edition: str
    gap_from: datetime  # covered up to here...
    gap_to: datetime  # ...and from here on
    found_at: datetime
    filled_at: datetime | None = None


def watermarks(conn: Connection, editions: Sequence[str] | None = None) -> dict[str, datetime]:
    """Return edition -> watermark for the editions that have one."""
    query = select(EditionWatermark.edition, EditionWatermark.covered_until)
    if editions is not None:
        query = query.where(EditionWatermark.edition.in_(list(editions)))
    return {edition: at for edition, at in conn.execute(query)}


def advance_watermarks(conn: Connection, marks: Mapping[str, datetime], at: datetime) -> None:
    """Move each edition's watermark forward to the given time (never back)."""
    known = watermarks(conn, list(marks))
    for edition, until in marks.items():
        old = known.get(edition)
        if old is None:
            values = {"edition": edition, "covered_until": until, "updated_at": at}
            conn.execute(insert(conn, EditionWatermark).on_conflict_do_nothing(), [values])
        elif until > old:
            conn.execute(
                update(EditionWatermark)
                .where(EditionWatermark.edition == edition)
                .values(covered_until=until, updated_at=at)
            )


def record_gaps(conn: Connection, gaps: Sequence[GapRow]) -> None:
    """Store gaps (a gap already recorded with the same span is kept as it is)."""
    rows = [
        {"edition": g.edition, "gap_from": g.gap_from, "gap_to": g.gap_to, "found_at": g.found_at}
        for g in gaps
    ]
    if rows:
        conn.execute(insert(conn, CoverageGap).on_conflict_do_nothing(), rows)


def gaps(conn: Connection, since: datetime | None = None, open_only: bool = True) -> list[GapRow]:
    """Return the gaps (found since a time, if given; open ones only, unless told), newest first."""
    query = select(
        CoverageGap.edition,
        CoverageGap.gap_from,
        CoverageGap.gap_to,
        CoverageGap.found_at,
        CoverageGap.filled_at,
    )
    if open_only:
        query = query.where(CoverageGap.filled_at.is_(None))
    if since is not None:
        query = query.where(CoverageGap.found_at >= since)
    query = query.order_by(CoverageGap.found_at.desc(), CoverageGap.edition)
    return [GapRow(*row) for row in conn.execute(query)]


def fill_gaps(
    conn: Connection, editions: Sequence[str], start: datetime, end: datetime, at: datetime
) -> int:
    """Mark open gaps of these editions lying within [start, end] filled; return how many."""
    query = (
        update(CoverageGap)
        .where(CoverageGap.edition.in_(list(editions)), CoverageGap.filled_at.is_(None))
        .where(CoverageGap.gap_from >= start, CoverageGap.gap_to <= end)
        .values(filled_at=at)
    )
    return conn.execute(query).rowcount or 0
