"""Every hand-written page reads as its edition's language to two independent detectors."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from langdetect import DetectorFactory, detect
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from unn_ingest.replica.model import EditionText
from unn_ingest.replica.stories import load_handwritten

DetectorFactory.seed = 0  # langdetect is random unless seeded
START = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
EDITIONS = [(s.story_id, e) for s in load_handwritten(START) for e in s.editions.values()]
IDS = [f"{story_id}-{e.edition}" for story_id, e in EDITIONS]


@cache
def _langid() -> Any:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(["uk", "ru", "en"])
    return identifier


def _page_text(edition: EditionText) -> str:
    return "\n".join([edition.title, edition.lead, *(b.text for b in edition.blocks)])


@pytest.mark.parametrize(("story_id", "edition"), EDITIONS, ids=IDS)
def test_langdetect_agrees(story_id: str, edition: EditionText) -> None:
    assert detect(_page_text(edition)) == edition.true_language


@pytest.mark.parametrize(("story_id", "edition"), EDITIONS, ids=IDS)
def test_py3langid_agrees(story_id: str, edition: EditionText) -> None:
    assert _langid().classify(_page_text(edition))[0] == edition.true_language


def test_the_mislabelled_page_is_detected_as_ukrainian() -> None:
    odd = [e for _, e in EDITIONS if e.edition == "en" and e.true_language == "uk"]
    assert odd and all(detect(_page_text(e)) == "uk" for e in odd)
