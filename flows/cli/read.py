"""Commands that read the store: `stories`, `show` and `export`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from unn_ingest.flows.cli.options import (
    DataDir,
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
    usage,
    user_errors,
)
from unn_ingest.storage.export import EXPORT_FIELDS


@contextmanager
def open_store(db: str | None, data_dir: Path | None) -> Iterator[Any]:
    """Open the store to read it; a missing SQLite database is an error, never created."""
    from unn_ingest.storage import Store

    url = existing_database(db, data_dir)
    with Store.open(url) as store:
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


def show(
    url_or_id: Annotated[str, typer.Argument(help="An article URL or numeric id.")],
    db: Db = None,
    data_dir: DataDir = None,
    json_out: JsonOut = False,
) -> None:
    """Show everything stored about one article, its revisions and its story."""
    key: str | int = int(url_or_id) if url_or_id.isdigit() else url_or_id
    with user_errors(), open_store(db, data_dir) as store:
        view = store.article(key)
    if view is None:
        fail(f"no stored article {url_or_id!r}")
    if json_out:
        print_json(asdict(view))
        return
    from unn_ingest.flows.cli.views import article_table

    console.print(article_table(view))


def export(
    fmt: Annotated[str, typer.Option("--format", help="jsonl or parquet.")] = "jsonl",
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (jsonl: default stdout).")
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First local date.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last local date.")] = None,
    db: Db = None,
    data_dir: DataDir = None,
) -> None:
    """Export one record per article (JSON lines or Parquet), streamed."""
    if fmt not in ("jsonl", "parquet"):
        usage("--format must be jsonl or parquet")
    if fmt == "parquet" and out is None:
        usage("--format parquet needs --out FILE")
    start, end = export_range(date_from, date_to)
    if out is not None:
        check_out(out)
    with user_errors(), open_store(db, data_dir) as store:
        records = store.iter_export(start, end)
        if fmt == "jsonl":
            count = _write_jsonl(records, out)
        else:
            assert out is not None
            count = _write_parquet(records, out)
    typer.echo(f"exported {count} articles" + (f" to {out}" if out else ""), err=True)


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
    """Reject an --out that cannot be written: a folder, or in a folder that does not exist."""
    if out.is_dir():
        usage(f"--out {out} is a folder; give a file name")
    if not out.parent.is_dir():
        usage(f"--out {out}: the folder {out.parent} does not exist")


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


def _write_parquet(records: Iterable[dict[str, Any]], out: Path, chunk: int = 2000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema(pa)
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        batch: list[dict[str, Any]] = []
        for record in records:
            batch.append(record)
            if len(batch) >= chunk:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def _parquet_schema(pa: Any) -> Any:
    text, strings = pa.string(), pa.list_(pa.string())
    types = {
        "story_id": pa.int64(),
        "authors": strings,
        "tags": strings,
        "lang_confidence": pa.float64(),
    }
    types |= {"lang_mismatch": pa.bool_(), "link_score": pa.float64(), "revisions": pa.int64()}
    return pa.schema([(name, types.get(name, text)) for name in EXPORT_FIELDS])


def register(app: typer.Typer) -> None:
    """Add the reading commands to the CLI."""
    app.command()(stories)
    app.command()(show)
    app.command()(export)
