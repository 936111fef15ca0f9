"""The replica's catalogue: hand-written plus generated stories, link variants, unique slugs.

`build_catalogue` is the one entry point the server, the tests and the benchmarks use. Its
`generated` argument counts *stories*, not articles (a generated story has ~2.7 editions on
average); use `stories_for_articles(n)` to ask for about `n` articles. Generated stories are
spread over `[start - days, start + 1 day)`, about 10% of them after `start`, so advancing the
replica's clock reveals new stories.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

from unn_ingest.replica.generator import (
    VARIANT_SHARES,
    claim_slug,
    iter_stories,
    link_variant,
    paused_gc,
    stories_for_articles,
)
from unn_ingest.replica.model import EditionText, LinkVariant, Story
from unn_ingest.replica.stories import explicit_link_variants, load_handwritten
from unn_ingest.replica.stories.ntrex import ntrex_stories

__all__ = [
    "DEFAULT_START",
    "VARIANT_SHARES",
    "Catalogue",
    "build_catalogue",
    "link_variant",
    "stories_for_articles",
]

DEFAULT_START = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
FUTURE_SHARE = 0.10  # of generated stories published after `start`


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Every story the replica can serve, sorted by publish time."""

    seed: int
    start: datetime
    stories: tuple[Story, ...]
    _by_id: dict[str, Story] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {story.story_id: story for story in self.stories})

    def story(self, story_id: str) -> Story:
        """Return the story with this id (KeyError if there is none)."""
        return self._by_id[story_id]

    def articles(self) -> Iterator[tuple[Story, EditionText]]:
        """Yield every (story, edition) pair, stories in publish order, editions uk, en, ru."""
        for story in self.stories:
            for edition in story.editions.values():
                yield story, edition

    @cached_property
    def article_count(self) -> int:
        """Return the number of articles (editions) in the catalogue."""
        return sum(len(story.editions) for story in self.stories)

    def __len__(self) -> int:
        return len(self.stories)


@lru_cache(maxsize=8)
def build_catalogue(
    seed: int = 1,
    generated: int = 300,
    start: datetime | None = None,
    days: int = 14,
    ntrex: Path | None = None,
    live_days: int = 0,
) -> Catalogue:
    """Build the catalogue: hand-written stories plus `generated` generated *stories*.

    With `ntrex` (the `ntrex-128` folder of the shared data), the real-text NTREX stories
    (`replica.stories.ntrex`) are added too. With `live_days`, the generated stories are spread
    evenly over the `days` before `start` and the `live_days` after it (a site that goes on
    publishing while its clock runs); without, 10% of them fall in the day after `start`.
    """
    if start is not None and start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    start = DEFAULT_START if start is None else start.astimezone(UTC)
    taken: set[tuple[str, str]] = set()
    fixed = explicit_link_variants()
    stories = [
        _with_variant(_claim_slugs(story, taken), seed, fixed) for story in load_handwritten(start)
    ]
    ahead, ahead_share = (
        (live_days, live_days / (days + live_days)) if live_days else (1, FUTURE_SHARE)
    )
    windows = [
        (start - timedelta(days=days), start, 1.0 - ahead_share),
        (start, start + timedelta(days=ahead), ahead_share),
    ]
    if ntrex is not None:
        stories += [_claim_slugs(story, taken) for story in ntrex_stories(ntrex, start, seed)]
    with paused_gc():
        stories.extend(iter_stories(seed, generated, windows, taken))
    stories.sort(key=lambda story: (story.published_at, story.story_id))
    return Catalogue(seed=seed, start=start, stories=tuple(stories))


def _with_variant(story: Story, seed: int, fixed: dict[str, LinkVariant]) -> Story:
    """Give a hand-written story whose file sets no variant the seed's choice."""
    if story.story_id in fixed:
        return story
    return replace(story, link_variant=link_variant(seed, story.story_id))


def _claim_slugs(story: Story, taken: set[tuple[str, str]]) -> Story:
    """Return the story with every edition's slug made unique against `taken`."""
    editions = {}
    for lang, text in story.editions.items():
        slug = claim_slug(taken, lang, text.slug)
        editions[lang] = text if slug == text.slug else replace(text, slug=slug)
    return replace(story, editions=editions)
