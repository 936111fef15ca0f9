"""Run the fast evaluation subsets once per session and load the pinned floors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from unn_ingest.flows.evaluation import extraction, language
from unn_ingest.flows.evaluation.datasets import EvaluationDataError, data_dir

FLOORS = Path(__file__).resolve().parent / "floors.toml"


@pytest.fixture(scope="session")
def floors() -> dict[str, Any]:
    """Return the pinned quality floors."""
    return tomllib.loads(FLOORS.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def extraction_report() -> extraction.ExtractionReport:
    """Return the extraction evaluation on the CI subset; fail naming missing data."""
    try:
        return extraction.evaluate(data_dir(), quick=True)
    except EvaluationDataError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def language_report() -> language.LanguageReport:
    """Return the language evaluation on the CI subset (no baseline); fail naming missing data."""
    try:
        return language.evaluate(data_dir(), quick=True, baseline=False)
    except EvaluationDataError as exc:
        pytest.fail(str(exc))
