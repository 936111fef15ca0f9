"""`reprocess` reads the archive in spans: a file whose spans did not join is read again whole."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import cast

from tests.flows.test_archive_spans import write_archive
from unn_ingest.config import load_profile
from unn_ingest.flows.context import RunContext
from unn_ingest.flows.fetch.archive import ArchiveDamage, archive_spans, read_archive
from unn_ingest.flows.fetch.rereading import reread_span
from unn_ingest.flows.reprocess import _rejoined


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
