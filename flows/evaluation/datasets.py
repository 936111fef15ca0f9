"""Locate and read the real data sets under ../shared/data (never copied into the repository).

A missing folder is an `EvaluationDataError` naming it; callers stop with that message rather
than report a score they could not compute.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import typer
from rich.console import Console

from unn_ingest.flows.errors import IngestError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
BENCHMARK = "article-extraction-benchmark"
PRAVDA = "fundus-pravda"
LINGUA = "lingua-testdata"
LINGUA_CLASSES = ("single-words", "word-pairs", "sentences")
LINGUA_LANGUAGES = ("uk", "ru", "en")
QUICK_PAGES = 40


class EvaluationDataError(IngestError):
    """A data set the evaluation needs is missing or unreadable."""


@dataclass(frozen=True, slots=True)
class TruthPage:
    """A real page with the text it should extract to."""

    page_id: str
    url: str
    html: bytes
    truth: str
    # Expected fields beside the body where the data set has them: title, authors, tags.
    fields: dict[str, Any] = field(default_factory=dict)


DATA_SETTING = "UNN_INGEST_SHARED_DATA"
SHARED_DATA_HELP = (
    "The shared real data sets (default $UNN_INGEST_SHARED_DATA, else ../shared/data beside "
    "the checkout); --data-dir is an older name for it."
)


def data_dir(override: Path | None = None) -> Path:
    """Return the shared data folder: the override, else $UNN_INGEST_SHARED_DATA, else
    ../shared/data beside the checkout."""
    configured = os.environ.get(DATA_SETTING)
    return (override or (Path(configured) if configured else DEFAULT_DATA_DIR)).resolve()


def require(folder: Path, name: str) -> Path:
    """Return folder/name, or raise EvaluationDataError naming the missing folder."""
    path = folder / name
    if not path.is_dir():
        raise EvaluationDataError(f"data folder {path} is missing (see shared/docs/real-data.md)")
    return path


def benchmark_pages(folder: Path, quick: bool = False) -> list[TruthPage]:
    """Read the 181 benchmark pages (or a fixed subset of 40 when quick), sorted by id."""
    root = require(folder, BENCHMARK)
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    if quick:
        ids = ids[:: max(1, len(ids) // QUICK_PAGES)][:QUICK_PAGES]
    return [
        TruthPage(
            page_id,
            truth[page_id]["url"],
            gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes()),
            truth[page_id]["articleBody"],
        )
        for page_id in ids
    ]


def pravda_pages(folder: Path) -> list[TruthPage]:
    """Read the Ukrainska Pravda pages with Fundus's expected body paragraphs."""
    root = require(folder, PRAVDA)
    pages = []
    for html_path in sorted(root.glob("Pravda_*.html.gz")):
        stem = html_path.name.removesuffix(".html.gz")
        expected = json.loads((root / f"{stem}.expected.json").read_text(encoding="utf-8"))
        meta_name = "meta_" + stem.removeprefix("Pravda_") + ".info"
        meta = json.loads((root / meta_name).read_text(encoding="utf-8"))
        body = expected["V1"]["body"]
        paragraphs = [*body.get("summary", [])]
        for section in body.get("sections", []):
            paragraphs += [*section.get("headline", []), *section.get("paragraphs", [])]
        url = meta[html_path.name]["url"]
        html = gzip.decompress(html_path.read_bytes())
        pages.append(TruthPage(stem, url, html, "\n\n".join(paragraphs), _fields(expected["V1"])))
    return pages


def _fields(expected: dict[str, Any]) -> dict[str, Any]:
    """Return Fundus's title, authors and topics (as tags) where the page has them."""
    found: dict[str, Any] = {"title": expected["title"], "authors": expected.get("authors", [])}
    if expected.get("topics"):
        found["tags"] = expected["topics"]
    return found


def lingua_lines(folder: Path, kind: str, language: str, limit: int | None = None) -> list[str]:
    """Return the non-empty test lines of one class and language (the first `limit`)."""
    path = require(folder, LINGUA) / kind / f"{language}.txt"
    if not path.is_file():
        raise EvaluationDataError(f"data file {path} is missing")
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    kept = [line for line in lines if line]
    return kept[:limit] if limit is not None else kept


def iter_lingua(folder: Path, limit: int | None = None) -> Iterator[tuple[str, str, list[str]]]:
    """Yield (class, language, lines) for every lingua class and uk/ru/en."""
    for kind in LINGUA_CLASSES:
        for language in LINGUA_LANGUAGES:
            yield kind, language, lingua_lines(folder, kind, language, limit)


class Report(Protocol):
    """An evaluation report that can be printed as JSON."""

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data."""
        ...


R = TypeVar("R", bound=Report)


def emit(make: Callable[[], R], printer: Callable[[R, Console], None], json_out: bool) -> None:
    """Compute a report and print it (table or JSON); a missing data set is one error line."""
    try:
        report = make()
    except EvaluationDataError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from None
    if json_out:
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        printer(report, Console())
    for left_out in getattr(report, "left_out", ()):  # --quick without the shared data
        Console(stderr=True).print(
            f"[yellow]note:[/yellow] not measured: {left_out}", soft_wrap=True, highlight=False
        )
