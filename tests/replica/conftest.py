"""Fixtures for the replica's own tests: a small hand-made catalogue and sites over it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from unn_ingest.replica.faults import FaultPlan
from unn_ingest.replica.model import Block, EditionText, Revision, Story
from unn_ingest.replica.server import ReplicaServer
from unn_ingest.replica.site import ReplicaSite

START = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
_ATTRIBUTION = {"uk": ", передає УНН.", "en": ", UNN reports.", "ru": ", передает УНН."}
_SUBHEADS = {
    "uk": ("Деталі", "Нагадаємо"),
    "en": ("Details", "Recall"),
    "ru": ("Детали", "Напомним"),
}
_RUBRIC = {"uk": "Політика", "en": "Politics", "ru": "Политика"}


@dataclass(frozen=True, slots=True)
class SmallCatalogue:
    """A stand-in for replica.catalogue.Catalogue with the same three fields."""

    seed: int
    start: datetime
    stories: tuple[Story, ...]


def make_text(edition: str, key: str, paragraphs: int = 6, **extra: object) -> EditionText:
    """Build one edition's text with an attributed first paragraph, subheads and a quote."""
    first, second = _SUBHEADS[edition]
    blocks = [Block("p", f"First paragraph of {key} in {edition}{_ATTRIBUTION[edition]}")]
    blocks.append(Block("h2", first))
    blocks += [Block("p", f"Paragraph {i} of {key} in {edition}.") for i in range(2, paragraphs)]
    blocks.append(Block("quote", f"A quoted line of {key}."))
    blocks.append(Block("h2", second))
    blocks.append(Block("p", f"Last paragraph of {key} in {edition}."))
    fields: dict[str, object] = {
        "edition": edition,
        "slug": f"{key}-{edition}-slug",
        "title": f"Title of {key} ({edition})",
        "lead": f"Lead of {key} in {edition}.",
        "blocks": tuple(blocks),
        "author": f"Author {key}",
        "rubric": _RUBRIC[edition],
        "tags": (f"tag-{key}", "Київ"),
    }
    fields.update(extra)
    return EditionText(**fields)  # type: ignore[arg-type]


def make_story(key: str, minutes: int, editions: dict[str, EditionText], **extra: object) -> Story:
    """Build a story published `minutes` after START (negative: before)."""
    when = START + timedelta(minutes=minutes)
    fields: dict[str, object] = {
        "story_id": key,
        "published_at": when,
        "rubric_key": "politics",
        "image_path": f"/img/{when:%Y/%m/%d}/{int(when.timestamp())}-{abs(minutes):04d}-large.webp",
        "editions": editions,
    }
    fields.update(extra)
    return Story(**fields)  # type: ignore[arg-type]


def small_stories() -> tuple[Story, ...]:
    """Return the test catalogue: one story per case plus fillers for pagination."""
    all3 = ("uk", "en", "ru")
    revised = make_text(
        "en",
        "rev",
        revisions=(
            Revision(
                START + timedelta(minutes=30),
                "Old title of rev",
                "Old lead of rev.",
                (Block("p", "Old body of rev, UNN reports."),),
            ),
        ),
    )
    short = (Block("p", "Коротка новина, передає УНН."), Block("p", "Друге речення."))
    stories = [
        make_story(
            "hre",
            -60,
            {e: make_text(e, "hre", 10) for e in all3},
            link_variant="hreflang",
            exclusive=True,
            badges=("Photo",),
        ),
        make_story(
            "swi",
            -50,
            {"uk": make_text("uk", "swi"), "en": make_text("en", "swi", delay_minutes=90)},
        ),
        make_story("hom", -40, {e: make_text(e, "hom") for e in all3}, link_variant="home"),
        make_story("rev", -120, {"uk": make_text("uk", "rev"), "en": revised}),
        make_story("fut", 120, {e: make_text(e, "fut") for e in all3}),
        make_story("rep", -10, {e: make_text(e, "rep") for e in all3}, republication_of="hre"),
        make_story("sho", -70, {"uk": replace(make_text("uk", "sho"), blocks=short)}),
        make_story(
            "mis", -30, {"en": make_text("en", "mis", language="uk", photo_credit="Jane Doe")}
        ),
    ]
    stories += [
        make_story(f"f{i:02d}", -200 - 37 * i, {e: make_text(e, f"f{i:02d}", 3) for e in all3})
        for i in range(45)
    ]
    return tuple(sorted(stories, key=lambda s: s.published_at))


@pytest.fixture(scope="session")
def small_catalogue() -> SmallCatalogue:
    """Return the small test catalogue (seed 1)."""
    return SmallCatalogue(seed=1, start=START, stories=small_stories())


@pytest.fixture
def site(small_catalogue: SmallCatalogue) -> ReplicaSite:
    """Return a fresh site over the small catalogue, clock at START, no faults."""
    return ReplicaSite(small_catalogue)


@pytest.fixture
def server(site: ReplicaSite) -> Iterator[ReplicaServer]:
    """Serve the small site on a loopback port for the duration of one test."""
    with ReplicaServer(site) as running:
        yield running


def site_with_faults(catalogue: SmallCatalogue, profile: str) -> ReplicaSite:
    """Return a site over `catalogue` with a fault profile."""
    return ReplicaSite(catalogue, FaultPlan.from_profile(profile))
