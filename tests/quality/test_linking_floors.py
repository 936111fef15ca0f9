"""CI gate: story linking on a quick replica subset must not fall below the pinned floors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from unn_ingest.flows.evaluation.datasets import EvaluationDataError
from unn_ingest.flows.evaluation.linking import QUICK_ARTICLES, evaluate_set
from unn_ingest.flows.evaluation.linking_ntrex import evaluate_ntrex
from unn_ingest.replica.catalogue import build_catalogue, stories_for_articles

pytestmark = pytest.mark.slow  # evaluations over whole data sets

FLOORS = tomllib.loads((Path(__file__).parent / "linking_floors.toml").read_text(encoding="utf-8"))
METRICS = {
    "explicit_precision": ("explicit", "precision"),
    "explicit_recall": ("explicit", "recall"),
    "content_precision": ("content_only", "precision"),
    "content_recall": ("content_only", "recall"),
    "home_precision": ("content_only_home", "precision"),
    "home_recall": ("content_only_home", "recall"),
}


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    """Evaluate hand-written and ~1,000 generated articles, with and without lead images."""
    catalogue = build_catalogue(seed=1, generated=stories_for_articles(QUICK_ARTICLES))
    sets = {
        "handwritten": [s for s in catalogue.stories if s.handwritten],
        "generated": [s for s in catalogue.stories if not s.handwritten],
    }
    out = {}
    for images in ("with_images", "without_images"):
        for name, stories in sets.items():
            out[f"{images}.{name}"] = evaluate_set(stories, with_images=images == "with_images")
    return out


def _cases() -> list[Any]:
    cases = []
    for images in ("with_images", "without_images"):
        for name, floors in FLOORS[images].items():
            for metric, floor in floors.items():
                case_id = f"{images}-{name}-{metric}"
                cases.append(pytest.param(f"{images}.{name}", metric, floor, id=case_id))
    return cases


@pytest.mark.parametrize(("report", "metric", "floor"), _cases())
def test_linking_stays_above_its_floor(
    reports: dict[str, dict[str, Any]], report: str, metric: str, floor: float
) -> None:
    section, key = METRICS[metric]
    measured = reports[report][section][key]
    assert measured >= floor, f"{report} {metric}: {measured} < floor {floor}"


@pytest.mark.parametrize("name", ["handwritten", "generated"])
def test_republications_and_corrections_are_all_detected(
    reports: dict[str, dict[str, Any]], name: str
) -> None:
    floors = FLOORS["duplicates"]
    duplicates = reports[f"with_images.{name}"]["duplicates"]
    corrections = reports[f"with_images.{name}"]["corrections"]
    assert duplicates["republished_articles"] > 0, "the subset must contain republications"
    assert corrections["corrected_articles"] > 0, "the subset must contain corrections"
    assert duplicates["detection_rate"] >= floors["republication_detection"]
    assert duplicates["false_duplicates"] <= floors["max_false_duplicates"]
    assert corrections["detection_rate"] >= floors["correction_detection"]
    assert corrections["marked_duplicate"] <= floors["max_corrections_marked_duplicate"]


NTREX_METRICS = {
    "content_precision": ("content_only", "precision"),
    "content_recall": ("content_only", "recall"),
    "images_precision": ("content_only_images", "precision"),
    "images_recall": ("content_only_images", "recall"),
    "same_time_precision": ("content_only_same_time", "precision"),
    "same_time_recall": ("content_only_same_time", "recall"),
    "republication_detection": ("duplicates", "detection_rate"),
    "language_body_accuracy": ("language", "body_accuracy"),
    "language_title_accuracy": ("language", "title_accuracy"),
}
NTREX_CEILINGS = {
    "max_false_duplicates": ("duplicates", "false_duplicates"),
    "max_corrections_marked_duplicate": ("corrections", "marked_duplicate"),
}


@pytest.fixture(scope="module")
def ntrex_report() -> dict[str, Any]:
    """Evaluate linking on the NTREX real-text stories (read from the shared data)."""
    try:
        return evaluate_ntrex()
    except EvaluationDataError as exc:
        pytest.fail(str(exc))


@pytest.mark.needs_data
@pytest.mark.parametrize(("metric", "floor"), FLOORS["ntrex"].items(), ids=FLOORS["ntrex"].keys())
def test_linking_on_real_text_stays_within_its_floor(
    ntrex_report: dict[str, Any], metric: str, floor: float
) -> None:
    if metric in NTREX_CEILINGS:
        section, key = NTREX_CEILINGS[metric]
        assert ntrex_report[section][key] <= floor, f"ntrex {metric}"
        return
    section, key = NTREX_METRICS[metric]
    measured = ntrex_report[section][key]
    assert measured >= floor, f"ntrex {metric}: {measured} < floor {floor}"


@pytest.mark.needs_data
def test_the_ntrex_set_holds_its_hard_cases(ntrex_report: dict[str, Any]) -> None:
    assert ntrex_report["stories"] > 123  # every document, plus its republications
    assert ntrex_report["duplicates"]["republished_articles"] > 0
    assert ntrex_report["corrections"]["corrected_articles"] > 0
