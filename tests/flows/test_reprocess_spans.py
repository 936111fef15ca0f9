"""`reprocess` reads the archive in spans: a file whose spans did not join is read again whole;
the main process reads the spans the busy workers cannot take."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from tests.flows.test_archive_spans import write_archive
from unn_ingest.config import load_profile
from unn_ingest.flows import reprocess
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.archive import ArchiveDamage, ArchiveSpan, archive_spans, read_archive
from unn_ingest.flows.fetch.rereading import SpanWork, reread_span
from unn_ingest.flows.reprocess import SPANS_IN_HAND, _analyse_archive, _rejoined


def test_a_file_whose_spans_did_not_join_is_read_again_whole(tmp_path: Path) -> None:
    path, refs = write_archive(tmp_path)
    damaged = int(refs[5].rsplit(":", 1)[1])
    data = bytearray(path.read_bytes())
    data[damaged + 20 : damaged + 1044] = bytes(range(256)) * 4
    path.write_bytes(bytes(data))
    profile = load_profile(origin="http://site.test")
    ctx = cast(RunContext, SimpleNamespace(profile=profile))
    spans = [reread_span(tmp_path, s, profile, None) for s in archive_spans(tmp_path, damaged)]
    assert not any(work.damage for work in spans)  # the damaged record fell between two spans
    (again,) = _rejoined(ctx, tmp_path, spans, None)
    whole: list[ArchiveDamage] = []
    list(read_archive(tmp_path, whole))
    assert again.span.start == 0 and again.span.end is None
    assert list(again.damage) == whole and len(whole) == 1


def test_spans_that_joined_are_kept_as_they_are(tmp_path: Path) -> None:
    write_archive(tmp_path)
    profile = load_profile(origin="http://site.test")
    ctx = cast(RunContext, SimpleNamespace(profile=profile))
    spans = [reread_span(tmp_path, s, profile, None) for s in archive_spans(tmp_path, 5000)]
    assert len(spans) > 3
    assert _rejoined(ctx, tmp_path, spans, None) == spans


class _HeldPool:
    """Workers that have started and finish a span only when its result is asked for."""

    workers = 1

    def __init__(self) -> None:
        self.sent: list[ArchiveSpan] = []

    def ready(self) -> bool:
        return True

    def submit(self, fn: Callable[..., SpanWork], *args: Any) -> Future[SpanWork]:
        self.sent.append(args[1])
        return _Held(lambda: fn(*args))


class _Held(Future[SpanWork]):
    def __init__(self, call: Callable[[], SpanWork]) -> None:
        super().__init__()
        self._call = call

    def result(self, timeout: float | None = None) -> SpanWork:
        if not self.done():
            self.set_result(self._call())
        return super().result(timeout)


def test_the_main_process_reads_the_spans_the_busy_workers_cannot_take(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_archive(tmp_path)
    monkeypatch.setattr(reprocess, "SPAN_BYTES", 5000)
    profile = load_profile(origin="http://site.test")
    pool = _HeldPool()
    ctx = cast(RunContext, SimpleNamespace(profile=profile, executor=pool))
    read = _analyse_archive(ctx, tmp_path, None)
    spans = archive_spans(tmp_path, 5000)
    assert len(spans) > 3
    assert pool.sent == spans[:SPANS_IN_HAND]  # each worker holds at most two at a time
    sequential = [reread_span(tmp_path, s, profile, None) for s in spans]
    assert sum(len(w.pages) for w in read) == 12
    assert [(w.span, w.pages) for w in read] == [(w.span, w.pages) for w in sequential]
