"""Extraction quality never drops below the pinned floors (fast subset)."""

from __future__ import annotations

from typing import Any

import pytest

from unn_ingest.flows.evaluation.extraction import ExtractionReport, ScoreRow

pytestmark = [pytest.mark.needs_data, pytest.mark.slow]  # reads ../shared/data


def _ours(report: ExtractionReport, dataset: str) -> ScoreRow:
    return next(r for r in report.rows if r.dataset == dataset and r.method == "unn-ingest")


@pytest.mark.parametrize(
    ("dataset", "floor"),
    [("benchmark", "benchmark"), ("fundus-pravda", "pravda"), ("replica", "replica")],
)
def test_f1_at_or_above_floor(
    extraction_report: ExtractionReport, floors: dict[str, Any], dataset: str, floor: str
) -> None:
    row = _ours(extraction_report, dataset)
    assert row.pages > 0
    assert row.f1 >= floors["extraction"][floor]["f1"], f"{dataset} F1 {row.f1:.4f}"


def test_no_page_far_below_bare_trafilatura(
    extraction_report: ExtractionReport, floors: dict[str, Any]
) -> None:
    limit = floors["extraction"]["benchmark"]["max_page_drop"]
    worst = [d for d in extraction_report.worst if d.delta < -limit]
    assert worst == [], f"pages more than {limit} below bare trafilatura: {worst}"


@pytest.mark.parametrize("field", ["title", "lead", "published_at", "author", "rubric"])
def test_replica_metadata_at_or_above_floor(
    extraction_report: ExtractionReport, floors: dict[str, Any], field: str
) -> None:
    assert extraction_report.metadata is not None
    rate = getattr(extraction_report.metadata, field)
    assert rate >= floors["extraction"]["replica"][field], f"{field} {rate:.2%}"
