"""Commands that read the store: `stories`, `show` and `export`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from unn_ingest.flows.cli.options import (
    DataDir,
    DateFrom,
    DateTo,
    Db,
    JsonOut,
    console,
    existing_database,
    fail,
    note,
    parse_date,
    parse_editions,
    print_json,
    site_today,
    site_zone,
    usage,
    user_errors,
)

Columns = tuple[tuple[str, str], ...]
ExportTable = Annotated[
    str,
    typer.Option(
        "--table", help="articles (one row per article) or stories (one per story, wide)."
    ),
]
ExportEditions = Annotated[
    str | None, typer.Option("--edition", "-e", help="Only these editions, e.g. uk,en.")
]


@contextmanager
def open_store(db: str | None, data_dir: Path | None) -> Iterator[Any]:
    """Open the store read-only; a missing SQLite database is an error, never created."""
    from unn_ingest.storage import Store

    url = existing_database(db, data_dir)
    with Store.open_to_read(url) as store:
        yield store


def stories(
    limit: Annotated[int, typer.Option(min=1, help="How many stories, newest first.")] = 20,
    edition: Annotated[str | None, typer.Option(help="Only stories with this edition.")] = None,
    db: Db = None,
    data_dir: DataDir = None,
    json_out: JsonOut = False,
) -> None:
    """List recent stories with their editions and how they were linked."""
    if edition is not None:
        chosen = parse_editions(edition)
        if len(chosen) > 1:
            usage(f"--edition takes one edition, not {edition!r}")
        edition = chosen[0]
    with user_errors(), open_store(db, data_dir) as store:
        found = store.stories(limit=limit, edition=edition)
    if not found:
        note("no stories stored" + (f" with an edition in {edition}" if edition else ""))
    if json_out:
        print_json([asdict(s) for s in found])
        return
    from unn_ingest.flows.cli.views import stories_table

    console.print(stories_table(found))


STORY_PREFIX = "story:"
SHOW_HELP = (
    "An article's id or URL, or story:ID for a story and its editions (the ids `stories` "
    "lists are story ids; the ids of their editions are in `stories --json`)."
)


def show(
    what: Annotated[str, typer.Argument(help=SHOW_HELP, metavar="ID|URL|story:ID")],
    db: Db = None,
    data_dir: DataDir = None,
    json_out: JsonOut = False,
) -> None:
    """Show one article (its fields, revisions and its story's other editions), or one story."""
    from unn_ingest.flows.cli.views import article_table, story_table

    if what.startswith(STORY_PREFIX):
        number = what.removeprefix(STORY_PREFIX)
        if not number.isdigit():
            usage(f"{what!r}: a story is story:ID with a number, e.g. story:57")
        with user_errors(), open_store(db, data_dir) as store:
            found = store.story(int(number))
        if found is None:
            fail(f"no stored story {number} (the ids `unn-ingest stories` lists)")
        _show(found, json_out, story_table)
        return
    key: str | int = int(what) if what.isdigit() else what
    with user_errors(), open_store(db, data_dir) as store:
        view = store.article(key)
    if view is None:
        hint = f"; for the story, show story:{what}" if what.isdigit() else ""
        fail(f"no stored article {what!r}{hint}")
    _show(view, json_out, article_table)


def _show(found: Any, json_out: bool, table: Any) -> None:
    if json_out:
        print_json(asdict(found))
    else:
        console.print(table(found))


def export(
    fmt: Annotated[str, typer.Option("--format", help="jsonl or parquet.")] = "jsonl",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output file; - or none: stdout (jsonl only).", metavar="FILE"),
    ] = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    table: ExportTable = "articles",
    edition: ExportEditions = None,
    db: Db = None,
    data_dir: DataDir = None,
) -> None:
    """Export one record per article, or per story (JSON lines or Parquet), streamed."""
    if fmt not in ("jsonl", "parquet"):
        usage("--format must be jsonl or parquet")
    out = None if out == Path("-") else out
    if fmt == "parquet" and out is None:
        usage("--format parquet needs --out FILE (Parquet is not written to stdout)")
    start, end = export_range(date_from, date_to)
    editions, columns, reader = _export_table(table, edition)
    if out is not None:
        check_out(out)
    with (
        user_errors(),
        open_store(db, data_dir) as store,
        # closed while the store is open, also when the reader of stdout has gone
        closing(getattr(store, reader)(start, end, editions, zone=site_zone())) as records,
    ):
        if fmt == "jsonl":
            count = _write_jsonl(records, out)
        else:
            assert out is not None
            count = _write_parquet(records, out, columns)
    if not count:
        note(f"no {table}{_range_words(start, end, editions)} are stored; the export is empty")
    typer.echo(f"exported {count} {table}" + (f" to {out}" if out else ""), err=True)


def _range_words(start: date | None, end: date | None, editions: list[str] | None) -> str:
    words = f" in {','.join(editions)}" if editions else ""
    if start or end:
        words += f" published from {start or 'the first day'} to {end or 'today'} (Kyiv)"
    return words


def _export_table(table: str, edition: str | None) -> tuple[list[str] | None, Columns, str]:
    """Return the editions, columns and the Store method that `export --table` reads."""
    from unn_ingest.storage.export import ARTICLE_COLUMNS, story_columns

    editions = parse_editions(edition) if edition else None
    if table == "articles":
        return editions, ARTICLE_COLUMNS, "iter_export"
    if table == "stories":
        return editions, story_columns(editions or ("uk", "en", "ru")), "iter_story_export"
    usage("--table must be articles or stories")


def export_range(date_from: str | None, date_to: str | None) -> tuple[date | None, date | None]:
    """Return the export's checked date range: not reversed, not starting in the future."""
    start = parse_date(date_from, "--from") if date_from else None
    end = parse_date(date_to, "--to") if date_to else None
    if start and end and end < start:
        usage(f"--to {end} is before --from {start}")
    today = site_today()
    if start and start > today:
        usage(f"--from {start} is in the future (today is {today} in Kyiv): nothing to export")
    return start, end


def check_out(out: Path) -> None:
    """Reject an --out that cannot be written: a folder, under a file or a missing folder,
    or refused by the system (read-only, no permission); an existing file is left as it is."""
    if out.is_dir():
        usage(f"--out {out} is a folder; give a file name")
    above = next((p for p in out.parents if p.exists()), None)
    if above is not None and not above.is_dir():
        usage(f"--out {out}: {above} is a file, not a folder")
    if not out.parent.is_dir():
        usage(f"--out {out}: the folder {out.parent} does not exist")
    existed = out.exists()
    try:
        out.open("ab").close()  # appending changes nothing; the export truncates it later
    except OSError as exc:
        usage(f"--out {out} cannot be written: {exc.strerror or type(exc).__name__}")
    if not existed:
        out.unlink(missing_ok=True)


def _write_jsonl(records: Iterable[dict[str, Any]], out: Path | None) -> int:
    count = 0
    handle: IO[str] = out.open("w", encoding="utf-8") if out else sys.stdout
    try:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if out:
            handle.close()
    return count


def _write_parquet(
    records: Iterable[dict[str, Any]], out: Path, columns: Columns, texts: int = 2000
) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # A row group holds about `texts` article bodies (a wide story row has one per edition),
    # which bounds the memory a batch takes whatever the table.
    chunk = texts // max(1, sum(name.endswith("body") for name, _ in columns))
    schema = _parquet_schema(pa, columns)
    times = [name for name, kind in columns if kind == "time"]
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(record | {n: _moment(record[n]) for n in times})
            if len(batch) >= chunk:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def _parquet_schema(pa: Any, columns: Columns) -> Any:
    types = {
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "text": pa.string(),
        "texts": pa.list_(pa.string()),
        "time": pa.timestamp("us", tz="UTC"),
        "images": pa.list_(
            pa.struct([("url", pa.string()), ("caption", pa.string()), ("credit", pa.string())])
        ),
        "sections": pa.list_(
            pa.struct([("subhead", pa.string()), ("paragraphs", pa.list_(pa.string()))])
        ),
    }
    return pa.schema([(name, types[kind]) for name, kind in columns])


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def register(app: typer.Typer) -> None:
    """Add the reading commands to the CLI."""
    app.command()(stories)
    app.command()(show)
    app.command()(export)
