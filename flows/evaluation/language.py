"""Measure language tagging: `unn-ingest eval language`.

lingua-testdata (single words, word pairs, sentences in uk, ru and en): accuracy per language
and length class and the confusion matrix, for our `detect_language` (no prior: the lines have
no URL) and, as the baseline row, bare langdetect (seed 0, all profiles; a line counts right
when langdetect's top language is the line's). Replica: every article body tagged by
`tag_article` against the language it is really written in, and the deliberately mislabelled
page must come out as a mismatch.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException
from rich.console import Console
from rich.table import Table

from unn_ingest.config.profiles import load_profile
from unn_ingest.extractors.article import extract_article
from unn_ingest.extractors.language import detect_language, tag_article
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.flows.evaluation.datasets import (
    LINGUA_CLASSES,
    LINGUA_LANGUAGES,
    SHARED_DATA_HELP,
    EvaluationDataError,
    data_dir,
    emit,
    iter_lingua,
)

__all__ = ["LanguageReport", "bare_langdetect", "command", "evaluate", "evaluate_replica"]

QUICK_LINES = 100  # per language and class: 300 lines per class
PREDICTED = (*LINGUA_LANGUAGES, "other")


@dataclass(frozen=True, slots=True)
class AccuracyRow:
    """One detector's accuracy on one length class, per language and averaged."""

    detector: str
    kind: str
    lines: int
    per_language: dict[str, float]
    mean: float
    seconds: float
    confusion: dict[str, dict[str, int]]  # true language -> predicted -> count


@dataclass(frozen=True, slots=True)
class ReplicaLanguage:
    """Tagging on the replica's article bodies."""

    articles: int
    accuracy: float
    mislabelled: int  # pages whose body is not in their edition's language
    mislabelled_flagged: int
    false_flags: int  # pages flagged although body and edition agree


@dataclass(slots=True)
class LanguageReport:
    """Everything one language evaluation run measured."""

    rows: list[AccuracyRow] = field(default_factory=list)
    replica: ReplicaLanguage | None = None
    left_out: list[str] = field(default_factory=list)  # --quick without the shared data

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return asdict(self)


def bare_langdetect(text: str) -> str:
    """Return bare langdetect's top language (seed 0, all profiles) folded onto uk/ru/en/other."""
    # The top language over all profiles reproduces real-data.md's baseline (52.8/76.7/97.5).
    DetectorFactory.seed = 0
    try:
        language = detect(text)
    except LangDetectException:
        return "other"
    return language if language in LINGUA_LANGUAGES else "other"


def ours(text: str) -> str:
    """Return our tag for a line, folded onto uk/ru/en/other."""
    language = detect_language(text).language
    return language if language in LINGUA_LANGUAGES else "other"


def accuracy_rows(
    folder: Path, detector: str, detect: Callable[[str], str], limit: int | None
) -> list[AccuracyRow]:
    """Tag every lingua line with `detect`; one row per length class."""
    found: dict[str, dict[str, Counter[str]]] = {kind: {} for kind in LINGUA_CLASSES}
    seconds = dict.fromkeys(LINGUA_CLASSES, 0.0)
    for kind, language, lines in iter_lingua(folder, limit):
        started = time.perf_counter()
        found[kind][language] = Counter(detect(line) for line in lines)
        seconds[kind] += time.perf_counter() - started
    return [_row(detector, kind, found[kind], seconds[kind]) for kind in LINGUA_CLASSES]


def _row(detector: str, kind: str, counts: dict[str, Counter[str]], seconds: float) -> AccuracyRow:
    per_language = {
        lang: counts[lang][lang] / max(1, sum(counts[lang].values())) for lang in LINGUA_LANGUAGES
    }
    confusion = {lang: {p: counts[lang][p] for p in PREDICTED} for lang in LINGUA_LANGUAGES}
    return AccuracyRow(
        detector,
        kind,
        sum(sum(c.values()) for c in counts.values()),
        per_language,
        sum(per_language.values()) / len(per_language),
        seconds,
        confusion,
    )


def evaluate_replica() -> ReplicaLanguage:
    """Tag every replica article (full page, extracted in-process) against its true language."""
    from unn_ingest.replica.testing import make_site  # the replica is needed here only

    site = make_site()
    truth = site.truth()
    profile = load_profile("unn", origin=truth["origin"])
    right = mislabelled = flagged = false_flags = 0
    for item in truth["articles"]:
        response = site.render(urlsplit(item["url"]).path)
        page = FetchedPage(
            item["url"], item["url"], 200, response.headers, response.body, datetime.now(UTC)
        )
        article = extract_article(page, profile)
        tag, mismatch = tag_article(article) if article else (None, False)
        right += tag is not None and tag.language == item["language"]
        wrong_edition = item["language"] != item["edition"]
        mislabelled += wrong_edition
        flagged += wrong_edition and mismatch
        false_flags += mismatch and not wrong_edition
    total = len(truth["articles"])
    return ReplicaLanguage(total, right / max(1, total), mislabelled, flagged, false_flags)


def evaluate(folder: Path, quick: bool = False, baseline: bool = True) -> LanguageReport:
    """Run the lingua and replica evaluations; raise EvaluationDataError when data is missing.

    With `quick`, missing lingua data is left out (and named in `left_out`): the replica part
    needs none.
    """
    limit = QUICK_LINES if quick else None
    report = LanguageReport()
    try:
        if baseline:
            report.rows += accuracy_rows(folder, "bare langdetect", bare_langdetect, limit)
        report.rows += accuracy_rows(folder, "unn-ingest", ours, limit)
    except EvaluationDataError as exc:
        if not quick:
            raise
        report.rows, report.left_out = [], [f"lingua-testdata ({exc})"]
    report.replica = evaluate_replica()
    return report


def command(
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    quick: Annotated[bool, typer.Option(help="100 lines per language and class.")] = False,
    baseline: Annotated[bool, typer.Option(help="Also measure bare langdetect.")] = True,
    data: Annotated[
        Path | None,
        typer.Option("--shared-data", "--data-dir", help=SHARED_DATA_HELP, metavar="FOLDER"),
    ] = None,
) -> None:
    """Measure language tagging on lingua test data and the replica, beside bare langdetect."""
    emit(lambda: evaluate(data_dir(data), quick, baseline), print_report, json_out)


def print_report(report: LanguageReport, console: Console) -> None:
    """Print accuracy per class and language, the confusion matrices and the replica line."""
    if report.rows:
        _print_lingua(report, console)
    if report.replica is not None:
        x = report.replica
        console.print(
            f"Replica: {x.articles} article bodies, {x.accuracy:.2%} tagged right; "
            f"{x.mislabelled_flagged} of {x.mislabelled} mislabelled pages flagged; "
            f"{x.false_flags} false mismatch flags."
        )


def _print_lingua(report: LanguageReport, console: Console) -> None:
    table = Table(title="Language tagging accuracy (lingua-testdata)")
    for name in ("detector", "class", "lines", *LINGUA_LANGUAGES, "mean", "seconds"):
        table.add_column(name, justify="left" if name in ("detector", "class") else "right")
    for r in report.rows:
        shares = (f"{r.per_language[lang]:.1%}" for lang in LINGUA_LANGUAGES)
        table.add_row(
            r.detector, r.kind, str(r.lines), *shares, f"{r.mean:.2%}", f"{r.seconds:.1f}"
        )
    console.print(table)
    confusion = Table(title="Confusion (true → predicted)")
    for name in ("detector", "class", "true", *PREDICTED):
        confusion.add_column(name)
    for r in report.rows:
        for lang in LINGUA_LANGUAGES:
            counts = (str(r.confusion[lang][p]) for p in PREDICTED)
            confusion.add_row(r.detector, r.kind, lang, *counts)
    console.print(confusion)
