"""Language tagging accuracy never drops below the pinned floors (fast subset)."""

from __future__ import annotations

from typing import Any

import pytest

from unn_ingest.flows.evaluation.datasets import LINGUA_CLASSES
from unn_ingest.flows.evaluation.language import LanguageReport

pytestmark = [pytest.mark.needs_data, pytest.mark.slow]  # reads ../shared/data


@pytest.mark.parametrize("kind", LINGUA_CLASSES)
def test_lingua_accuracy_at_or_above_floor(
    language_report: LanguageReport, floors: dict[str, Any], kind: str
) -> None:
    row = next(r for r in language_report.rows if r.kind == kind and r.detector == "unn-ingest")
    assert row.lines == 300
    assert row.mean >= floors["language"]["lingua"][kind], f"{kind} {row.mean:.2%}"


def test_replica_bodies_tagged_right_and_mislabelled_page_flagged(
    language_report: LanguageReport, floors: dict[str, Any]
) -> None:
    replica = language_report.replica
    assert replica is not None
    assert replica.accuracy >= floors["language"]["replica"]["accuracy"]
    assert replica.mislabelled >= 1
    assert replica.mislabelled_flagged == replica.mislabelled
    assert replica.false_flags == 0
