"""The raw WARC archive: written by every fetch, readable with warcio, rotated, damage-tolerant."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import io
import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from unn_ingest.flows.fetch import archive
from unn_ingest.flows.fetch.archive import ArchiveDamage, Exchange, WarcArchive, read_archive
from unn_ingest.flows.fetch.http import Fetcher, FetchPolicy, FetchRequest
from unn_ingest.flows.ingest import ingest
from unn_ingest.replica.testing import running_replica
from unn_ingest.storage import Store

WHEN = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def exchange(
    url: str, body: bytes = b"<html>page</html>", status: int = 200, when: datetime = WHEN
) -> Exchange:
    return Exchange(
        requested_url=url,
        url=url,
        request_headers=(("User-Agent", "unn-ingest"),),
        status=status,
        reason="OK" if status == 200 else "Not Modified",
        headers=(("Content-Type", "text/html"), ("Content-Encoding", "gzip")),
        body=body,
        fetched_at=when,
    )


def records(path: Path) -> list[tuple[str, str | None]]:
    with path.open("rb") as stream:
        return [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
            for r in ArchiveIterator(stream)
        ]


def test_an_exchange_is_a_request_and_a_response_readable_by_warcio(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path)
    ref = archive.write(exchange("http://site.test/news/a"))
    archive.close()
    (path,) = tmp_path.glob("*.warc.gz")
    assert ref.startswith(path.name + ":")
    assert records(path) == [
        ("warcinfo", None),
        ("response", "http://site.test/news/a"),
        ("request", "http://site.test/news/a"),
    ]
    (page,) = read_archive(tmp_path)
    assert page.body == b"<html>page</html>" and page.fetched_at == WHEN and page.ref == ref
    assert "content-encoding" not in page.headers  # the body is stored decoded


def warcio_records(exchange: Exchange) -> bytes:
    """Return the records warcio's writer makes of an exchange (the archive's writer before
    it wrote them itself), decompressed."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    headers = [(k, v) for k, v in exchange.headers if k.lower() != "content-encoding"]
    fields = {"WARC-Date": "2026-12-01T10:00:00.000000Z", "WARC-Unn-Requested-URI": exchange.url}
    if exchange.status == 304:
        http = StatusAndHeaders("304 Not Modified", headers, protocol="HTTP/1.1")
        fields |= {
            "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
            "WARC-Refers-To-Target-URI": exchange.url,
        }
        response = writer.create_warc_record(
            exchange.url, "revisit", http_headers=http, warc_headers_dict=fields
        )
    else:
        headers.append(("Content-Length", str(len(exchange.body))))
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        response = writer.create_warc_record(
            exchange.url, "response", payload=io.BytesIO(exchange.body), http_headers=http,
            warc_headers_dict=fields,
        )  # fmt: skip
    target = exchange.url.split("site.test", 1)[1]
    request_http = StatusAndHeaders(
        f"GET {target} HTTP/1.1",
        [("Host", "site.test"), *exchange.request_headers],
        is_http_request=True,
    )
    request = writer.create_warc_record(
        exchange.url, "request", payload=io.BytesIO(b""), http_headers=request_http,
        warc_headers_dict={"WARC-Date": fields["WARC-Date"],
                           "WARC-Concurrent-To": response.rec_headers["WARC-Record-ID"]},
    )  # fmt: skip
    for record in (response, request):
        writer.write_record(record)
        record.raw_stream.close()
    return gzip.decompress(out.getvalue())


@pytest.mark.parametrize(
    "page",
    [
        exchange("http://site.test/news/a?p=1", "<p>Новина</p>".encode() * 500),
        exchange("http://site.test/news/b", b"", status=304),
        Exchange(
            "http://site.test/news/c",
            "http://site.test/news/c",
            (("User-Agent", "u"),),
            200,
            "OK",
            (("Content-Disposition", "inline; filename=новина.html"),),
            b"x",
            WHEN,
        ),
    ],
    ids=["response", "revisit", "non-ascii-header"],
)
def test_records_are_warcios_with_digests_that_check(tmp_path: Path, page: Exchange) -> None:
    archive = WarcArchive(tmp_path)
    archive.write(page)
    archive.close()
    (path,) = tmp_path.glob("*.warc.gz")
    with path.open("rb") as stream:
        written = [r.rec_type for r in ArchiveIterator(stream, check_digests="raise")]
    assert written == ["warcinfo", "revisit" if page.status == 304 else "response", "request"]
    ours = gzip.decompress(path.read_bytes())
    ours = ours[ours.index(b"WARC/1.1", 1) :]  # after the warcinfo record
    ids = re.compile(rb"<urn:uuid:[0-9a-f-]+>")
    assert ids.sub(b"<id>", ours) == ids.sub(b"<id>", warcio_records(page))


def test_a_304_is_a_revisit_record(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path)
    archive.write(exchange("http://site.test/news/a", b"", status=304))
    archive.close()
    (path,) = tmp_path.glob("*.warc.gz")
    assert [t for t, _ in records(path)] == ["warcinfo", "revisit", "request"]
    with path.open("rb") as stream:
        revisit = next(r for r in ArchiveIterator(stream) if r.rec_type == "revisit")
    assert revisit.rec_headers.get_header("WARC-Profile").endswith("server-not-modified")
    assert list(read_archive(tmp_path)) == []  # nothing to re-extract from


def test_files_rotate_by_size_and_by_day(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path, max_bytes=2000)
    for n in range(6):
        archive.write(exchange(f"http://site.test/news/{n}", os.urandom(3000)))
    archive.write(exchange("http://site.test/news/late", when=WHEN + timedelta(days=1)))
    archive.close()
    names = sorted(p.name for p in tmp_path.glob("*.warc.gz"))
    assert len(names) == 7
    assert any("-20261202-" in n for n in names)
    assert len(list(read_archive(tmp_path))) == 7


def test_a_truncated_last_record_is_skipped_and_reported(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path)
    refs = [
        archive.write(exchange(f"http://site.test/news/{n}", os.urandom(5000))) for n in range(3)
    ]
    archive.close()
    (path,) = tmp_path.glob("*.warc.gz")
    last = int(refs[-1].rsplit(":", 1)[1])
    path.write_bytes(path.read_bytes()[: last + 2000])  # a process killed mid-write
    damage: list[ArchiveDamage] = []
    pages = list(read_archive(tmp_path, damage))
    assert [p.url for p in pages] == ["http://site.test/news/0", "http://site.test/news/1"]
    assert len(damage) == 1 and damage[0].file == path.name


def test_the_fetcher_archives_what_it_reads_and_says_where(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304)
        body = gzip.compress(b"<html>zipped</html>")
        return httpx.Response(
            200, content=body, headers={"Content-Encoding": "gzip", "ETag": '"v1"'}
        )

    policy = FetchPolicy(
        ("site.test",), "unn-ingest", requests_per_second=0, archive_dir=str(tmp_path)
    )
    with Fetcher(policy, transport=httpx.MockTransport(handler)) as fetcher:
        (page,) = fetcher.fetch_all([FetchRequest("http://site.test/news/a")])
        (again,) = fetcher.fetch_all([FetchRequest("http://site.test/news/a", etag='"v1"')])
        robots = fetcher.take_robots_fetches()
    assert page.archive_ref and again.archive_ref and robots[0].archive_ref
    (archived,) = [p for p in read_archive(tmp_path) if p.status == 200]
    assert archived.body == b"<html>zipped</html>" and archived.ref == page.archive_ref
    (path,) = tmp_path.glob("*.warc.gz")
    assert [t for t, _ in records(path)].count("revisit") == 1


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_run_keeps_every_article_response_and_logs_its_place(fast_site_settings: Path) -> None:
    with running_replica(seed=4, generated=8) as server:
        asyncio.run(ingest(["uk"], server.base_url, None, str(fast_site_settings)))
    archived = {p.requested_url: p.ref for p in read_archive(fast_site_settings / "warc")}
    with Store.open(f"sqlite:///{fast_site_settings / 'unn-ingest.sqlite3'}") as store:
        urls = [r["url"] for r in store.iter_export(None, None)]
        states = store.fetch_states(urls)
    assert urls and set(urls) <= set(archived)
    assert all(states[u].archive_ref == archived[u] for u in urls)
    assert any(u.endswith("/rss/news_uk.xml") for u in archived)


def test_reading_resumes_at_the_next_intact_record_after_damage_in_the_middle(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    archive = WarcArchive(tmp_path)
    refs = [
        archive.write(exchange(f"http://site.test/news/{n}", os.urandom(3000))) for n in range(8)
    ]
    archive.close()
    (path,) = tmp_path.glob("*.warc.gz")
    data = bytearray(path.read_bytes())
    hit = int(refs[3].rsplit(":", 1)[1]) + 200  # noise over the fourth response's record
    data[hit : hit + 1024] = bytes(range(256)) * 4
    path.write_bytes(bytes(data))
    damage: list[ArchiveDamage] = []
    pages = list(read_archive(tmp_path, damage))
    kept = [p.url for p in pages]
    assert kept == [f"http://site.test/news/{n}" for n in (0, 1, 2, 4, 5, 6, 7)]
    assert [p.ref for p in pages][3:] == refs[4:]  # the intact records after it, where they are
    (hurt,) = damage
    assert hurt.holds(refs[3]) and not any(hurt.holds(r) for r in refs[:3] + refs[4:])
    assert hurt.resumed_at is not None and hurt.reason.isprintable()
    out, err = capfd.readouterr()
    assert "\x00" not in out + err and "\x01" not in out + err  # no damaged byte echoed


def test_a_full_disk_names_the_file_and_leaves_no_empty_warc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from warcio.warcwriter import WARCWriter

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(WARCWriter, "write_record", full)
    archive = WarcArchive(tmp_path)
    with pytest.raises(OSError) as raised:
        archive.write(exchange("http://site.test/news/a"))
    assert raised.value.errno == errno.ENOSPC and str(tmp_path) in str(raised.value.filename)
    assert list(tmp_path.glob("*.warc.gz")) == []  # the file it had opened is gone


def test_record_ids_are_random_version_4_uuids_and_digests_are_base32() -> None:
    ids = {archive._record_id() for _ in range(200)}
    assert len(ids) == 200
    for record_id in ids:
        assert record_id.startswith("<urn:uuid:") and record_id.endswith(">")
        parsed = uuid.UUID(record_id[10:-1])
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == record_id[10:-1]
    for n in range(200):
        digest = hashlib.sha1(n.to_bytes(2, "big"))
        expected = "sha1:" + base64.b32encode(digest.digest()).decode("ascii")
        assert archive._sha1(digest) == expected
