"""Extraction quality never drops below the pinned floors (fast subset)."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from tests.quality.conftest import FLOORS
from unn_ingest.flows.evaluation.extraction import ExtractionReport, ScoreRow
from unn_ingest.flows.evaluation.fields import BARE, OURS

pytestmark = [pytest.mark.needs_data, pytest.mark.slow]  # reads ../shared/data


def _ours(report: ExtractionReport, dataset: str) -> ScoreRow:
    return next(r for r in report.rows if r.dataset == dataset and r.method == "unn-ingest")


@pytest.mark.parametrize(
    ("dataset", "floor"),
    [
        ("benchmark", "benchmark"),
        ("fundus-pravda", "pravda"),
        ("replica", "replica"),
        ("replica-b", "replica-b"),
        ("replica-b-nomatch", "replica-b-nomatch"),
        ("replica-nomatch", "replica-nomatch"),
    ],
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


REPLICA_FIELDS = [
    (dataset, field)
    for dataset in ("replica", "replica-b", "replica-b-nomatch", "replica-nomatch")
    for field in ("title", "lead", "published_at", "author", "rubric", "links_joined")
    if field != "rubric" or dataset == "replica"  # only AMP pages show the rubric
]


@pytest.mark.parametrize(("dataset", "field"), REPLICA_FIELDS)
def test_replica_metadata_at_or_above_floor(
    extraction_report: ExtractionReport, floors: dict[str, Any], dataset: str, field: str
) -> None:
    rates = extraction_report.metadata[dataset]
    assert rates.pages > 0
    if field == "links_joined":
        assert rates.explicit_link_pages > 0
    rate = getattr(rates, field)
    assert rate >= floors["extraction"][dataset][field], f"{dataset} {field} {rate:.2%}"


@pytest.mark.parametrize(
    "dataset", ["replica", "replica-b", "replica-b-nomatch", "replica-nomatch"]
)
def test_replica_beats_bare_trafilatura(extraction_report: ExtractionReport, dataset: str) -> None:
    bare = next(
        r for r in extraction_report.rows if r.dataset == dataset and r.method == "bare trafilatura"
    )
    assert _ours(extraction_report, dataset).f1 > bare.f1


FIELD_FLOORS = [
    (dataset, name)
    for dataset, names in tomllib.loads(FLOORS.read_text(encoding="utf-8"))["fields"].items()
    for name in names
]


@pytest.mark.parametrize(("dataset", "name"), FIELD_FLOORS)
def test_every_field_at_or_above_floor(
    extraction_report: ExtractionReport, floors: dict[str, Any], dataset: str, name: str
) -> None:
    rates = extraction_report.field_rates(dataset)
    assert rates.counts[name] > 0, f"{dataset} {name}: no page scored"
    rate = rates.rates[name]
    assert rate is not None and rate >= floors["fields"][dataset][name], f"{dataset} {name} {rate}"


@pytest.mark.parametrize("dataset", ["replica", "replica-amp", "replica-b", "fundus-pravda"])
def test_fields_at_least_as_good_as_bare_trafilatura_metadata(
    extraction_report: ExtractionReport, dataset: str
) -> None:
    ours = extraction_report.field_rates(dataset, OURS)
    bare = extraction_report.field_rates(dataset, BARE)
    worse = {
        name: (ours.rates[name], rate)
        for name, rate in bare.rates.items()
        if rate is not None and (ours.rates[name] or 0.0) < rate
    }
    assert worse == {}
