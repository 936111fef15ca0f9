"""The NTREX real-text stories: real translations, scheduled with hard negatives."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from unn_ingest.flows.evaluation.datasets import data_dir
from unn_ingest.replica.catalogue import DEFAULT_START, build_catalogue
from unn_ingest.replica.model import Story
from unn_ingest.replica.stories.ntrex import (
    FILES,
    FOLDER,
    NtrexDataError,
    load_ntrex,
    ntrex_stories,
)

pytestmark = pytest.mark.needs_data  # reads shared/data/ntrex-128


@pytest.fixture(scope="module")
def folder() -> Path:
    return data_dir() / FOLDER


@pytest.fixture(scope="module")
def stories(folder: Path) -> list[Story]:
    return ntrex_stories(folder, DEFAULT_START)


def test_every_document_is_one_story_in_three_real_editions(
    folder: Path, stories: list[Story]
) -> None:
    documents = load_ntrex(folder)
    assert len(documents) == 123
    originals = [s for s in stories if not s.republication_of]
    assert len(originals) == len(documents)
    english = (folder / FILES["en"]).read_text(encoding="utf-8").splitlines()
    ukrainian = (folder / FILES["uk"]).read_text(encoding="utf-8").splitlines()
    titles = {s.editions["en"].title: s.editions["uk"].title for s in originals}
    assert titles[english[0]] == ukrainian[0]  # line N of each file is one sentence
    for story in originals:
        assert set(story.editions) == {"uk", "en", "ru"}
        assert all(text.blocks and text.lead for text in story.editions.values())


def test_the_schedule_holds_the_hard_negatives(stories: list[Story]) -> None:
    originals = sorted((s for s in stories if not s.republication_of), key=lambda s: s.published_at)
    # Reused stock images: several stories share one lead image.
    images = Counter(s.image_path for s in originals)
    assert max(images.values()) >= 5
    # Same-day stories on one topic (they share the image) within minutes of each other.
    by_image = defaultdict(list)
    for story in originals:
        by_image[story.image_path].append(story.published_at)
    close = [b - a for times in by_image.values() for a, b in pairwise(times)]
    assert sum(gap <= timedelta(minutes=15) for gap in close) >= 40
    # Editions published hours apart.
    delays = [t.delay_minutes for s in originals for t in s.editions.values()]
    assert sum(d >= 60 for d in delays) >= 40
    assert all(s.published_at < DEFAULT_START for s in stories)  # visible at the start


def test_republications_and_corrections_are_included(stories: list[Story]) -> None:
    by_id = {s.story_id: s for s in stories}
    copies = [s for s in stories if s.republication_of]
    assert len(copies) >= 5
    for copy in copies:
        original = by_id[str(copy.republication_of)]
        assert copy.published_at - original.published_at >= timedelta(days=1)
        assert copy.editions["uk"].blocks == original.editions["uk"].blocks
        assert copy.editions["uk"].slug != original.editions["uk"].slug
    assert sum(bool(t.revisions) for s in stories for t in s.editions.values()) >= 5


def test_the_catalogue_adds_them_with_unique_slugs(folder: Path) -> None:
    catalogue = build_catalogue(seed=1, generated=50, ntrex=folder)
    ntrex = [s for s in catalogue.stories if s.story_id.startswith("n")]
    assert len(ntrex) == len(ntrex_stories(folder, catalogue.start))
    slugs = [(lang, t.slug) for s in catalogue.stories for lang, t in s.editions.items()]
    assert len(slugs) == len(set(slugs))


def test_a_missing_or_uneven_folder_is_an_error(tmp_path: Path, folder: Path) -> None:
    with pytest.raises(NtrexDataError, match="missing"):
        load_ntrex(tmp_path)
    for name in ("DOCUMENT_IDS.tsv", *FILES.values()):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        keep = lines if name != FILES["ru"] else lines[:-1]
        (tmp_path / name).write_text("\n".join(keep) + "\n", encoding="utf-8")
    with pytest.raises(NtrexDataError, match="one line per document"):
        load_ntrex(tmp_path)


def test_replica_serve_can_add_the_ntrex_stories() -> None:
    from typer.testing import CliRunner

    from unn_ingest.replica.cli import StoriesSource, _catalogue, replica_app

    assert "--stories-source" in CliRunner().invoke(replica_app, ["serve", "--help"]).output
    catalogue = _catalogue(1, 0, None, StoriesSource.ntrex)
    assert sum(story.story_id.startswith("n") for story in catalogue.stories) > 123
