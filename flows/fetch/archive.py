"""The raw archive: every exchange with the site written to gzipped WARC 1.1 files.

Each process writes its own file (the pid is in the name) under `<data_dir>/warc/`, and starts
a new one past a size or when the UTC day changes. A response is a `request` record and a
`response` record; a 304 is a `revisit` record (profile server-not-modified). Every record is
its own gzip member and is flushed at once, so a process killed mid-write loses at most the
record it was writing; readers skip such a truncated tail, and resume after damaged bytes at
the next intact record (see `read_archive`).

An archive reference is `<file name>:<offset>`: the file relative to the archive folder and
the byte offset of the response (or revisit) record in it.

The exchange records are written here rather than by `warcio`'s writer, which buffers each
payload in a temporary file, digests it through several layers and compresses at level 9:
that cost 0.6 ms per page. The records are the ones `warcio` wrote (its HTTP head, the same
WARC headers in the same order, SHA-1 block and payload digests), compressed at
`GZIP_LEVEL`; `warcio` still writes each file's `warcinfo` record and reads the archive.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from unn_ingest.flows import cputime

NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
ORIGINAL_URL_HEADER = "WARC-Unn-Requested-URI"  # the URL asked for, before redirects
# httpx hands over the decoded body: headers that describe the bytes on the wire would lie.
WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
GZIP_MAGIC = b"\x1f\x8b\x08"  # where a gzip member (a record) may start
SCAN_BLOCK = 1 << 16
# Level 1: 0.12 ms a page where warcio's 9 took 0.21, for records 10% larger (13.7 KB pages:
# 4.07 KB against 3.69; level 6 is no smaller than 9 here and no faster).
GZIP_LEVEL = 1


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and what came back, as the archive stores it."""

    requested_url: str  # before redirects
    url: str  # the URL that answered
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """A response read back from the archive."""

    requested_url: str
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    ref: str


@dataclass(frozen=True, slots=True)
class ArchiveDamage:
    """A part of a WARC file that could not be read: from `offset` to `resumed_at` (the next
    intact record), or to the end of the file (None: a last record cut short)."""

    file: str
    offset: int
    reason: str
    resumed_at: int | None = None

    def holds(self, ref: str) -> bool:
        """Tell whether an archive reference (`file:offset`) points into this span."""
        name, _, offset = ref.rpartition(":")
        if name != self.file or not offset.isdigit():
            return False
        return self.offset <= int(offset) and (
            self.resumed_at is None or int(offset) < self.resumed_at
        )


class WarcArchive:
    """Append exchanges to this process's current WARC file (not thread-safe: one writer)."""

    def __init__(self, folder: Path, max_bytes: int = 1 << 30) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._file: IO[bytes] | None = None
        self._name = ""
        self._day: date | None = None
        self._serial = 0
        self._info_size = 0  # bytes of the current file's warcinfo record

    @cputime.staged("archive (WARC)")
    def write(self, exchange: Exchange) -> str:
        """Write the request and response (or revisit) records; return the reference.

        A write that fails (a full disk, a folder not writable) raises an OSError naming the
        file; a file it left empty is removed.
        """
        try:
            return self._write(exchange)
        except OSError as error:
            path = self.folder / self._name if self._name else self.folder
            self._discard()
            raise OSError(error.errno, error.strerror or str(error), str(path)) from None

    def _write(self, exchange: Exchange) -> str:
        file = self._file_for(exchange.fetched_at)
        response_id = _record_id()
        records = _response_record(exchange, response_id) + _request_record(exchange, response_id)
        offset = file.tell()
        file.write(records)
        file.flush()
        return f"{self._name}:{offset}"

    def _discard(self) -> None:
        """Close the current file after a failed write, removing it if it holds no record."""
        file, path = self._file, self.folder / self._name
        self._file = None
        self._name = ""
        if file is None:
            return
        with contextlib.suppress(OSError):
            file.close()
        with contextlib.suppress(OSError):
            if path.stat().st_size <= self._info_size:
                path.unlink()

    def close(self) -> None:
        """Close the current file."""
        if self._file is not None:
            self._file.close()
        self._file = None

    def _file_for(self, when: datetime) -> IO[bytes]:
        day = when.astimezone(UTC).date()
        if self._file is None or day != self._day or self._file.tell() >= self.max_bytes:
            self.close()
            self._open(when, day)
        assert self._file is not None
        return self._file

    def _open(self, when: datetime, day: date) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        stamp = when.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        # pid and a random tag: several writers of one process (runs) or of many never collide
        tag = f"{os.getpid()}-{secrets.token_hex(3)}-{self._serial:05d}"
        self._name = f"unn-{stamp}-{tag}.warc.gz"
        self._file = open(self.folder / self._name, "ab")  # noqa: SIM115 (kept open)
        self._day = day
        writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        info = {"software": "unn-ingest", "format": "WARC File Format 1.1"}
        record = writer.create_warcinfo_record(self._name, info)
        self._info_size = 1 << 62  # until the warcinfo record is whole: nothing worth keeping
        writer.write_record(record)
        record.raw_stream.close()
        self._file.flush()
        self._info_size = self._file.tell()  # a file no larger holds no exchange


def _response_record(exchange: Exchange, record_id: str) -> bytes:
    """Return the gzipped response record of an exchange (a revisit record for a 304)."""
    headers = [(k, v) for k, v in exchange.headers if k.lower() not in WIRE_HEADERS]
    fields = [
        ("WARC-Date", _warc_date(exchange.fetched_at)),
        (ORIGINAL_URL_HEADER, exchange.requested_url),
    ]
    if exchange.status == 304:
        fields += [
            ("WARC-Profile", NOT_MODIFIED_PROFILE),
            ("WARC-Refers-To-Target-URI", exchange.url),
        ]
        http = StatusAndHeaders(f"304 {exchange.reason}", headers, protocol="HTTP/1.1")
        return _record("revisit", exchange.url, record_id, fields, http.to_ascii_bytes(), None)
    headers.append(("Content-Length", str(len(exchange.body))))
    http = StatusAndHeaders(f"{exchange.status} {exchange.reason}", headers, protocol="HTTP/1.1")
    return _record(
        "response", exchange.url, record_id, fields, http.to_ascii_bytes(), exchange.body
    )


def _request_record(exchange: Exchange, response_id: str) -> bytes:
    """Return the gzipped request record of an exchange, concurrent to its response."""
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc), *exchange.request_headers]
    http = StatusAndHeaders(f"GET {target} HTTP/1.1", headers, is_http_request=True)
    fields = [("WARC-Date", _warc_date(exchange.fetched_at)), ("WARC-Concurrent-To", response_id)]
    return _record("request", exchange.url, _record_id(), fields, http.to_ascii_bytes(), b"")


def _record(
    kind: str,
    url: str,
    record_id: str,
    fields: list[tuple[str, str]],
    http_head: bytes,
    payload: bytes | None,
) -> bytes:
    """Return one WARC record as its own gzip member: `fields` first, then the record's type,
    id, target, digests and length (warcio's order); a revisit (`payload` None) has no payload
    and no payload digest."""
    block = hashlib.sha1(http_head)
    fields += [("WARC-Type", kind), ("WARC-Record-ID", record_id), ("WARC-Target-URI", url)]
    if payload is not None:
        block.update(payload)
        fields.append(("WARC-Payload-Digest", _sha1(hashlib.sha1(payload))))
    length = len(http_head) + (len(payload) if payload is not None else 0)
    fields += [
        ("WARC-Block-Digest", _sha1(block)),
        (
            "Content-Type",
            f"application/http; msgtype={'request' if kind == 'request' else 'response'}",
        ),
        ("Content-Length", str(length)),
    ]
    head = "WARC/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields) + "\r\n"
    gzip = _compressor(len(head) + length)
    parts = [gzip.compress(head.encode()), gzip.compress(http_head)]
    if payload:
        parts.append(gzip.compress(payload))
    parts += [gzip.compress(b"\r\n\r\n"), gzip.flush()]
    return b"".join(parts)


def _compressor(size: int) -> Any:
    """Return a gzip compressor whose window and hash table fit `size` bytes: setting up
    zlib's full ones (a 32 KB window, 64 K hash entries) costs more than a small record's
    compression, and a window as large as the data loses nothing."""
    bits = min(max(size.bit_length(), 9), zlib.MAX_WBITS)
    return zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + bits, max(1, bits - 7))


def _record_id() -> str:
    """Return a new record id: a random (version 4) UUID, formatted here (`uuid.uuid4()` goes
    through a UUID object: 8 µs against 2, twice per exchange)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}>"


# Base32 by 10 bits (two characters) at a time: a SHA-1 digest's 160 bits are 32 characters
# without padding. `base64.b32encode` is pure Python and twice as slow (4 digests an exchange).
_B32_PAIRS = [
    a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
]
_B32_SHIFTS = range(150, -1, -10)


def _sha1(digest: Any) -> str:
    """Return a SHA-1 digest as a WARC digest field: "sha1:" and its base32."""
    n = int.from_bytes(digest.digest(), "big")
    return "sha1:" + "".join([_B32_PAIRS[n >> shift & 1023] for shift in _B32_SHIFTS])


def _warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_archive(folder: Path, damage: list[ArchiveDamage] | None = None) -> Iterator[ArchivedPage]:
    """Yield every response record of every WARC file under the folder, oldest file first.

    A record that cannot be read (a file cut short by a killed process, damaged bytes) is
    skipped: reading resumes at the next intact record (gzip member) after it, and, when
    `damage` is given, the unreadable span is described there (never with its bytes).
    """
    for path in archive_files(folder):
        yield from SpanReading(folder, ArchiveSpan(str(path.relative_to(folder)), 0), damage)


def archive_files(folder: Path) -> list[Path]:
    """Return the WARC files under the folder, oldest first (the order they are read in)."""
    return sorted(folder.glob("*.warc.gz"), key=lambda p: (p.stat().st_mtime, p.name))


@dataclass(frozen=True, slots=True)
class ArchiveSpan:
    """A part of one WARC file, to be read on its own: the records that start in [start, end).

    A span that starts inside a record begins at the next gzip member holding a WARC record;
    `end` None: to the end of the file.
    """

    file: str  # relative to the archive folder
    start: int
    end: int | None = None


def archive_spans(folder: Path, size: int) -> list[ArchiveSpan]:
    """Cut every WARC file under the folder into spans of about `size` bytes, in reading order.

    Read one after another, the spans of a file give what reading it whole gives, provided
    each span began where the one before it stopped (`SpanReading.joins`).
    """
    spans = []
    for path in archive_files(folder):
        name, length = str(path.relative_to(folder)), path.stat().st_size
        starts = list(range(0, max(length, 1), size))
        ends: list[int | None] = [*starts[1:], None]  # the last reads what is appended meanwhile
        spans += [ArchiveSpan(name, start, end) for start, end in zip(starts, ends, strict=True)]
    return spans


class SpanReading:
    """The responses of one span, oldest first, as `read_archive` reads them (see there).

    Once iterated, `began` is where the first record read starts and `stopped` where the
    reading stopped (the first record past the span's end); None for either: the file's end.
    """

    def __init__(
        self, folder: Path, span: ArchiveSpan, damage: list[ArchiveDamage] | None = None
    ) -> None:
        self.folder, self.span, self.damage = folder, span, damage
        self.began: int | None = None
        self.stopped: int | None = None

    def joins(self, following: SpanReading) -> bool:
        """Tell whether the next span of the same file began where this one stopped."""
        return self.stopped == following.began

    def __iter__(self) -> Iterator[ArchivedPage]:
        span = self.span
        with (self.folder / span.file).open("rb") as stream:
            start = _next_member(stream, span.start) if span.start else 0
            self.began = start
            while start is not None:
                stream.seek(start)
                stopped = yield from _read_from(stream, span.file, start, span.end)
                if not isinstance(stopped, tuple):
                    self.stopped = stopped
                    return
                good_end, error = stopped
                start = _next_member(stream, good_end + 1)
                if self.damage is not None:
                    reason = f"unreadable record ({type(error).__name__})"
                    self.damage.append(ArchiveDamage(span.file, good_end, reason, start))


def _read_from(
    stream: IO[bytes], name: str, start: int, end: int | None
) -> Generator[ArchivedPage, None, int | tuple[int, Exception] | None]:
    """Yield the responses of the records from `start` on that start before `end`; return
    where the reading stopped (a record at or past `end`; None: the end of the file), or
    where the intact records end and the error that stopped the reading there."""
    good_end = start
    records = _QuietIterator(stream)
    try:
        for record in records:
            if end is not None and good_end >= end:
                return good_end  # the next span's first record
            body = record.content_stream().read() if record.rec_type == "response" else b""
            offset = records.get_record_offset()
            if record.rec_type == "response":
                declared = record.http_headers.get_header("Content-Length")
                if declared is not None and declared.isdigit() and int(declared) != len(body):
                    raise ValueError("record cut short")
                yield _page(record, body, f"{name}:{offset}")
            good_end = offset + records.get_record_length()
    except Exception as error:  # warcio raises many kinds on a cut-off or damaged gzip member
        if end is not None and good_end >= end:
            return good_end  # the damage is the next span's to find
        return good_end, error
    return None


def _next_member(stream: IO[bytes], position: int) -> int | None:
    """Return the offset of the next intact WARC record (a gzip member) from `position` on."""
    while True:
        stream.seek(position)
        block = stream.read(SCAN_BLOCK)
        if not block:
            return None
        found = block.find(GZIP_MAGIC)
        if found < 0:
            position += max(len(block) - len(GZIP_MAGIC) + 1, 1)
            continue
        if _warc_member_at(stream, position + found):
            return position + found
        position += found + 1


def _warc_member_at(stream: IO[bytes], offset: int) -> bool:
    """Tell whether a gzip member holding a WARC record starts at `offset`."""
    stream.seek(offset)
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(stream.read(4096), 16)
    except zlib.error:
        return False
    return head.startswith(b"WARC/")


class _QuietIterator(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator, without its warning that copies a damaged record's bytes to stderr."""

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        empty_size = 0
        first_line = True
        while True:
            line = self.reader.readline()
            if len(line) == 0:
                return None, empty_size
            if len(line.rstrip()) == 0 or first_line:
                empty_size += len(line)
                if len(line.rstrip()) != 0:
                    self.err_count += 1  # warcio writes the line to stderr here
                first_line = False
                continue
            return line, empty_size


def _page(record: Any, body: bytes, ref: str) -> ArchivedPage:
    url = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    return ArchivedPage(
        requested_url=record.rec_headers.get_header(ORIGINAL_URL_HEADER) or url,
        url=url,
        status=int(http.get_statuscode()),
        headers={k.lower(): v for k, v in http.headers},
        body=body,
        fetched_at=datetime.fromisoformat(record.rec_headers.get_header("WARC-Date")),
        ref=ref,
    )
