"""Catch-up bookkeeping in the store: watermarks only move forward; gaps are kept until filled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from unn_ingest.storage import GapRow, Store

AT = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)


def test_a_watermark_is_stored_per_edition_and_never_moves_back(store: Store) -> None:
    assert store.watermarks() == {}
    store.advance_watermarks({"uk": AT, "en": AT - timedelta(minutes=5)}, AT)
    store.advance_watermarks({"uk": AT - timedelta(hours=1), "en": AT}, AT)
    assert store.watermarks() == {"uk": AT, "en": AT}
    store.advance_watermarks({"uk": AT + timedelta(hours=12)}, AT + timedelta(hours=12))
    assert store.watermarks(["uk"]) == {"uk": AT + timedelta(hours=12)}


def test_a_gap_is_recorded_once_and_filled_by_a_backfill_over_its_span(store: Store) -> None:
    gap = GapRow("uk", AT - timedelta(days=9), AT - timedelta(days=7), AT)
    other = GapRow("en", AT - timedelta(days=9), AT - timedelta(days=7), AT)
    store.record_gaps([gap, other])
    store.record_gaps([gap])  # a re-run that finds the same span adds nothing
    assert store.gaps() == [other, gap]  # newest first, then by edition
    assert store.gaps(since=AT + timedelta(minutes=1)) == []
    too_short = store.fill_gaps(["uk"], AT - timedelta(days=8), AT, AT)
    assert too_short == 0
    filled = store.fill_gaps(["uk"], AT - timedelta(days=10), AT - timedelta(days=6), AT)
    assert filled == 1
    assert store.gaps() == [other]
    [closed] = [g for g in store.gaps(open_only=False) if g.edition == "uk"]
    assert closed.filled_at == AT
