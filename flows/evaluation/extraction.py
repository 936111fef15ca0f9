"""Measure body extraction: `unn-ingest eval extraction`.

Three data sets, each scored with the article-extraction-benchmark metric (extractors.scoring):
the 181 real benchmark pages (generic path) and the two Ukrainska Pravda pages, both beside bare
`trafilatura.extract(html, include_comments=False)` run in the same process; and the replica's
full and AMP pages against its ground truth (UNN profile path, rendered in-process), with
exact-match rates for title, lead, publish time, and author and rubric where the page shows them.
Every field around the text (authors, rubric and its key, tags, lead image with caption and
credit, times, sections) is scored exactly on the replica's full and AMP pages of both layouts
and on the Pravda pages (authors, topics), beside bare `trafilatura.extract_metadata`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import trafilatura
import typer
from rich import box
from rich.console import Console
from rich.table import Table

from unn_ingest.extractors.article import extract_article
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.scoring import PageScore, score_corpus, score_page
from unn_ingest.flows.evaluation.datasets import (
    SHARED_DATA_HELP,
    EvaluationDataError,
    TruthPage,
    benchmark_pages,
    data_dir,
    emit,
    pravda_pages,
)
from unn_ingest.flows.evaluation.fields import (
    BARE,
    FIELDS,
    OURS,
    FieldRates,
    bare_metadata,
    score_fields,
)
from unn_ingest.flows.evaluation.replica_extraction import VARIANTS, evaluate_variant

__all__ = ["ExtractionReport", "command", "evaluate", "evaluate_pages", "evaluate_replica"]

FETCHED_AT = datetime(2025, 11, 20, tzinfo=UTC)
WORST_SHOWN = 5


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """Corpus precision, recall and F1 of one method on one data set."""

    dataset: str
    method: str
    pages: int
    precision: float
    recall: float
    f1: float
    seconds: float


@dataclass(frozen=True, slots=True)
class PageDelta:
    """One page's F1, ours against bare trafilatura."""

    dataset: str
    page_id: str
    url: str
    bare_f1: float
    ours_f1: float

    @property
    def delta(self) -> float:
        """Return ours minus bare."""
        return self.ours_f1 - self.bare_f1


@dataclass(frozen=True, slots=True)
class MetadataRates:
    """Exact-match rates on the replica; author and rubric on the pages that show them."""

    pages: int
    title: float
    lead: float
    published_at: float
    shown_author_pages: int  # full pages show the author after the body, AMP pages above it
    author: float
    rubric: float | None  # AMP pages only (full pages do not show it); None without any
    explicit_link_pages: int = 0  # full pages of editions with a switcher or hreflang
    links_joined: float | None = None  # ...whose explicit links name exactly the other editions


@dataclass(slots=True)
class ExtractionReport:
    """Everything one evaluation run measured."""

    rows: list[ScoreRow] = field(default_factory=list)
    worst: list[PageDelta] = field(default_factory=list)
    metadata: dict[str, MetadataRates] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)  # --quick without the shared data
    fields: list[FieldRates] = field(default_factory=list)  # ours and bare metadata, per set

    def field_rates(self, dataset: str, method: str = OURS) -> FieldRates:
        """Return one data set's field rates by one method; KeyError when not measured."""
        for rates in self.fields:
            if (rates.dataset, rates.method) == (dataset, method):
                return rates
        raise KeyError((dataset, method))

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        data = asdict(self)
        data["worst"] = [{**asdict(d), "delta": d.delta} for d in self.worst]
        return data


def _bare(page: TruthPage) -> str:
    return trafilatura.extract(page.html, include_comments=False) or ""


def _ours(page: TruthPage) -> str:
    article = _article(page)
    return article.body if article is not None else ""


def _article(page: TruthPage) -> Any:
    return extract_article(FetchedPage(page.url, page.url, 200, {}, page.html, FETCHED_AT), None)


def evaluate_page_fields(dataset: str, pages: list[TruthPage]) -> list[FieldRates]:
    """Score the fields a real data set's truth gives (Pravda: title, authors, topics)."""
    scored = [p for p in pages if p.fields]
    if not scored:
        return []
    ours = score_fields(dataset, OURS, ((p.fields, _article(p), False) for p in scored))
    bare = ((p.fields, bare_metadata(p.html, p.url), False) for p in scored)
    return [ours, score_fields(dataset, BARE, bare)]


def _run(
    dataset: str, method: str, pages: list[TruthPage], extract: Callable[[TruthPage], str]
) -> tuple[ScoreRow, list[PageScore]]:
    started = time.perf_counter()
    texts = [extract(page) for page in pages]
    seconds = time.perf_counter() - started
    scores = [score_page(text, page.truth) for text, page in zip(texts, pages, strict=True)]
    corpus = score_corpus(scores)
    row = ScoreRow(dataset, method, len(pages), corpus.precision, corpus.recall, corpus.f1, seconds)
    return row, scores


def evaluate_pages(dataset: str, pages: list[TruthPage]) -> tuple[list[ScoreRow], list[PageDelta]]:
    """Score bare trafilatura and our generic path on the same pages; per-page deltas."""
    bare_row, bare = _run(dataset, "bare trafilatura", pages, _bare)
    ours_row, ours = _run(dataset, "unn-ingest", pages, _ours)
    deltas = [
        PageDelta(dataset, page.page_id, page.url, b.f1, o.f1)
        for page, b, o in zip(pages, bare, ours, strict=True)
    ]
    return [bare_row, ours_row], sorted(deltas, key=lambda d: d.delta)


def evaluate_replica(
    quick: bool = False, fields: list[FieldRates] | None = None
) -> tuple[list[ScoreRow], dict[str, MetadataRates]]:
    """Score every replica variant (both layouts, the no-match profile) beside bare trafilatura;
    their field rates are added to `fields`."""
    rows: list[ScoreRow] = []
    rates: dict[str, MetadataRates] = {}
    for variant in VARIANTS:
        result = evaluate_variant(variant, quick)
        if fields is not None:
            fields += result.fields
        for method, (precision, recall, f1, seconds) in (
            ("bare trafilatura", result.bare),
            ("unn-ingest", result.ours),
        ):
            rows.append(
                ScoreRow(variant.dataset, method, result.pages, precision, recall, f1, seconds)
            )
        r, c = result.rates, result.counts
        rates[variant.dataset] = MetadataRates(
            pages=c["pages"],
            title=r["title"] or 0.0,
            lead=r["lead"] or 0.0,
            published_at=r["published_at"] or 0.0,
            shown_author_pages=c["pages"],
            author=r["author"] or 0.0,
            rubric=r["rubric"],
            explicit_link_pages=c["explicit_links"],
            links_joined=r["links_joined"],
        )
    return rows, rates


def evaluate(folder: Path, quick: bool = False) -> ExtractionReport:
    """Run every extraction evaluation; raise EvaluationDataError when data is missing.

    With `quick`, a missing real data set is left out (and named in `left_out`): the replica
    parts need none.
    """
    report = ExtractionReport()
    readers: list[tuple[str, Callable[[], list[TruthPage]]]] = [
        ("benchmark", lambda: benchmark_pages(folder, quick)),
        ("fundus-pravda", lambda: pravda_pages(folder)),
    ]
    for dataset, read in readers:
        try:
            pages = read()
        except EvaluationDataError as exc:
            if not quick:
                raise
            report.left_out.append(f"{dataset} ({exc})")
            continue
        rows, deltas = evaluate_pages(dataset, pages)
        report.rows += rows
        report.worst += deltas[:WORST_SHOWN]
        report.fields += evaluate_page_fields(dataset, pages)
    rows, report.metadata = evaluate_replica(quick, report.fields)
    report.rows += rows
    return report


def command(
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    quick: Annotated[bool, typer.Option(help="A fixed subset (the CI floors' subset).")] = False,
    data: Annotated[
        Path | None,
        typer.Option("--shared-data", "--data-dir", help=SHARED_DATA_HELP, metavar="FOLDER"),
    ] = None,
) -> None:
    """Score body extraction on real pages and the replica, beside bare trafilatura."""
    emit(lambda: evaluate(data_dir(data), quick), print_report, json_out)


def print_report(report: ExtractionReport, console: Console) -> None:
    """Print the score table, the worst pages against bare trafilatura and metadata rates."""
    table = Table(title="Body extraction (word 4-gram shingles, P/R averaged over pages)")
    for name in ("data set", "method", "pages", "precision", "recall", "F1", "seconds"):
        table.add_column(name, justify="left" if name in ("data set", "method") else "right")
    for r in report.rows:
        table.add_row(
            r.dataset,
            r.method,
            str(r.pages),
            f"{r.precision:.4f}",
            f"{r.recall:.4f}",
            f"{r.f1:.4f}",
            f"{r.seconds:.1f}",
        )
    console.print(table)
    worst = Table(title="Pages furthest below bare trafilatura (F1)")
    for name in ("data set", "page", "bare", "ours", "delta"):
        worst.add_column(name)
    for d in report.worst:
        worst.add_row(
            d.dataset, d.page_id[:16], f"{d.bare_f1:.3f}", f"{d.ours_f1:.3f}", f"{d.delta:+.3f}"
        )
    console.print(worst)
    if report.metadata:
        console.print(metadata_table(report.metadata))
    if report.fields:
        console.print(fields_table(report.fields))


def metadata_table(metadata: dict[str, MetadataRates]) -> Table:
    """Return the replica's metadata and explicit-link rates: a row per field and a column per
    data set, as the fields table (it fits 80 columns)."""
    table = Table(
        title="Replica metadata and explicit edition links, exact matches",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("field", no_wrap=True)
    for name in metadata:
        table.add_column(name.replace("-", "-\n"), justify="right")
    rows: list[tuple[str, Callable[[MetadataRates], str]]] = [
        ("pages", lambda m: str(m.pages)),
        ("title", lambda m: _percent(m.title)),
        ("lead", lambda m: _percent(m.lead)),
        ("published_at", lambda m: _percent(m.published_at)),
        ("author", lambda m: _percent(m.author)),
        ("rubric (AMP)", lambda m: _percent(m.rubric)),
        ("editions joined (links)", lambda m: _percent(m.links_joined)),
        ("  of pages with links", lambda m: str(m.explicit_link_pages)),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(m) for m in metadata.values()), end_section=label == "pages")
    return table


def fields_table(rates: list[FieldRates]) -> Table:
    """Return every data set's field accuracies, ours beside bare trafilatura's metadata: a
    row per field and a column per data set (it fits 80 columns)."""
    table = Table(
        title="Fields, exact matches in %: ours/bare trafilatura's (-: not shown on those "
        "pages, or not offered)",
        title_justify="left",
        box=box.SIMPLE_HEAD,  # no rules between columns: seven of them fit 80 columns
        pad_edge=False,
    )
    by_set: dict[str, dict[str, FieldRates]] = {}
    for r in rates:
        by_set.setdefault(r.dataset, {})[r.method] = r
    table.add_column("field", min_width=max(map(len, FIELDS)), no_wrap=True)
    for dataset in by_set:
        table.add_column(dataset.replace("-", "-\n"), justify="right")
    pages = [str(max(r.pages for r in methods.values())) for methods in by_set.values()]
    table.add_row("pages", *pages, end_section=True)
    for name in FIELDS:
        table.add_row(name, *(_ours_and_bare(methods, name) for methods in by_set.values()))
    return table


def _ours_and_bare(methods: dict[str, FieldRates], name: str) -> str:
    shares = [methods[m].rates.get(name) if m in methods else None for m in (OURS, BARE)]
    return "/".join("-" if v is None else f"{v:.0%}".removesuffix("%") for v in shares)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"
