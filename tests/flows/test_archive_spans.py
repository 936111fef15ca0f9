"""Spans of a WARC file, read on their own (reprocess's workers): together, the whole file."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from tests.flows.test_archive import exchange
from unn_ingest.flows.fetch.archive import (
    ArchiveDamage,
    ArchiveSpan,
    SpanReading,
    WarcArchive,
    archive_spans,
    read_archive,
)

Read = tuple[list[tuple[str, str, bytes]], list[ArchiveDamage], bool]


def write_archive(folder: Path, pages: int = 12) -> tuple[Path, list[str]]:
    archive = WarcArchive(folder)
    refs = [
        archive.write(exchange(f"http://site.test/news/{n}", os.urandom(2000 + 300 * n)))
        for n in range(pages)
    ]
    archive.close()
    (path,) = folder.glob("*.warc.gz")
    return path, refs


def whole(folder: Path) -> tuple[list[tuple[str, str, bytes]], list[ArchiveDamage]]:
    damage: list[ArchiveDamage] = []
    return [(p.url, p.ref, p.body) for p in read_archive(folder, damage)], damage


def by_spans(folder: Path, size: int) -> Read:
    """Read every span in order: the pages, the damage and whether every join held."""
    damage: list[ArchiveDamage] = []
    readings = [SpanReading(folder, span, damage) for span in archive_spans(folder, size)]
    pages = [(p.url, p.ref, p.body) for reading in readings for p in reading]
    joined = all(a.joins(b) for a, b in itertools.pairwise(readings))
    return pages, damage, joined


SIZES = [1000, 2345, 4096, 7777, 20000, 1 << 20]


@pytest.mark.parametrize("size", SIZES, ids=[f"{s}B" for s in SIZES])
def test_spans_read_in_turn_give_what_the_whole_file_gives(tmp_path: Path, size: int) -> None:
    write_archive(tmp_path)
    pages, damage, joined = by_spans(tmp_path, size)
    assert joined and not damage
    assert (pages, damage) == whole(tmp_path)


def test_a_span_begins_at_the_first_record_past_its_start(tmp_path: Path) -> None:
    path, refs = write_archive(tmp_path, pages=3)
    second = int(refs[1].rsplit(":", 1)[1])
    reading = SpanReading(tmp_path, ArchiveSpan(path.name, second - 50, None))
    urls = [p.url for p in reading]
    assert urls == ["http://site.test/news/1", "http://site.test/news/2"]
    assert reading.began is not None and second - 50 < reading.began <= second
    assert reading.stopped is None  # read to the end of the file


@pytest.mark.parametrize("size", SIZES, ids=[f"{s}B" for s in SIZES])
def test_damage_is_found_once_whichever_span_holds_it(tmp_path: Path, size: int) -> None:
    path, refs = write_archive(tmp_path)
    data = bytearray(path.read_bytes())
    hit = int(refs[5].rsplit(":", 1)[1]) + 200  # noise over the sixth response's record
    data[hit : hit + 1024] = bytes(range(256)) * 4
    path.write_bytes(bytes(data))
    pages, damage, joined = by_spans(tmp_path, size)
    if joined:  # else reprocess reads the file again whole
        assert (pages, damage) == whole(tmp_path)
    assert len(whole(tmp_path)[1]) == 1


@pytest.mark.parametrize("size", SIZES, ids=[f"{s}B" for s in SIZES])
def test_a_file_cut_short_loses_its_last_record_in_spans_too(tmp_path: Path, size: int) -> None:
    path, refs = write_archive(tmp_path)
    last = int(refs[-1].rsplit(":", 1)[1])
    path.write_bytes(path.read_bytes()[: last + 1500])  # a process killed mid-write
    pages, damage, joined = by_spans(tmp_path, size)
    assert joined and (pages, damage) == whole(tmp_path)
    assert len(pages) == len(refs) - 1 and len(damage) == 1


def test_a_span_edge_at_a_damaged_record_breaks_the_join(tmp_path: Path) -> None:
    path, refs = write_archive(tmp_path)
    damaged = int(refs[5].rsplit(":", 1)[1])
    data = bytearray(path.read_bytes())
    data[damaged + 20 : damaged + 1044] = bytes(range(256)) * 4  # its gzip header unreadable
    path.write_bytes(bytes(data))
    _pages, damage, joined = by_spans(tmp_path, damaged)  # the second span starts at it
    assert not joined  # the first stopped at the damaged record, the second began after it
    assert not damage  # so neither saw it: reprocess reads such a file again whole
    assert len(whole(tmp_path)[1]) == 1
