"""The catalogue: hand-written plus generated stories, link variants, unique slugs, caching."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from unn_ingest.replica.catalogue import (
    DEFAULT_START,
    build_catalogue,
    link_variant,
    stories_for_articles,
)
from unn_ingest.replica.stories import explicit_link_variants, load_handwritten


def test_default_catalogue_holds_handwritten_and_generated_stories() -> None:
    catalogue = build_catalogue()
    handwritten = [s for s in catalogue.stories if s.handwritten]
    generated = [s for s in catalogue.stories if not s.handwritten]
    assert catalogue.seed == 1 and catalogue.start == DEFAULT_START
    assert len(handwritten) == len(load_handwritten(DEFAULT_START)) >= 1
    assert len(generated) == 300


def test_stories_are_sorted_by_publish_time() -> None:
    times = [s.published_at for s in build_catalogue().stories]
    assert times == sorted(times)


def test_generated_stories_span_the_window_with_a_tenth_in_the_future() -> None:
    catalogue = build_catalogue(seed=2, generated=2000)
    generated = [s for s in catalogue.stories if not s.handwritten]
    start = catalogue.start
    assert all(
        start - timedelta(days=14) <= s.published_at < start + timedelta(days=1) for s in generated
    )
    future = sum(s.published_at >= start for s in generated)
    assert future / len(generated) == pytest.approx(0.10, abs=0.02)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_slugs_are_unique_across_the_catalogue(seed: int) -> None:
    keys = [(text.edition, text.slug) for _, text in build_catalogue(seed, 1500).articles()]
    assert len(keys) == len(set(keys))


def test_link_variants_follow_the_shares() -> None:
    catalogue = build_catalogue(seed=2, generated=2000)
    counts = Counter(s.link_variant for s in catalogue.stories if not s.handwritten)
    total = sum(counts.values())
    assert counts["hreflang"] / total == pytest.approx(0.4, abs=0.04)
    assert counts["switcher"] / total == pytest.approx(0.3, abs=0.04)
    assert counts["home"] / total == pytest.approx(0.3, abs=0.04)


def test_variants_fixed_in_story_files_are_kept() -> None:
    catalogue = build_catalogue()
    for story_id, variant in explicit_link_variants().items():
        assert catalogue.story(story_id).link_variant == variant


def test_link_variant_depends_on_the_seed() -> None:
    ids = [f"g{i:05d}" for i in range(1, 200)]
    assert [link_variant(1, i) for i in ids] != [link_variant(2, i) for i in ids]


def test_same_arguments_give_the_cached_catalogue() -> None:
    assert build_catalogue(seed=4, generated=50) is build_catalogue(seed=4, generated=50)


def test_builds_are_deterministic_per_seed() -> None:
    first = build_catalogue(seed=5, generated=100)
    build_catalogue.cache_clear()
    again = build_catalogue(seed=5, generated=100)
    assert first is not again and first.stories == again.stories
    assert build_catalogue(seed=6, generated=100).stories != first.stories


def test_lookup_and_iteration_cover_every_article() -> None:
    catalogue = build_catalogue()
    pairs = list(catalogue.articles())
    assert len(pairs) == catalogue.article_count == sum(len(s.editions) for s in catalogue.stories)
    story, _ = pairs[-1]
    assert catalogue.story(story.story_id) is story
    with pytest.raises(KeyError):
        catalogue.story("nope")


def test_another_start_moves_every_story() -> None:
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    catalogue = build_catalogue(seed=1, generated=100, start=start)
    assert catalogue.start == start
    assert all(s.published_at > start - timedelta(days=15) for s in catalogue.stories)


def test_stories_for_articles_asks_for_about_that_many_articles() -> None:
    catalogue = build_catalogue(seed=7, generated=stories_for_articles(3000))
    generated = sum(len(s.editions) for s in catalogue.stories if not s.handwritten)
    assert generated == pytest.approx(3000, rel=0.05)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_catalogue(start=datetime(2025, 11, 20, 10, 0))


def test_handwritten_stories_without_a_fixed_variant_get_the_seeds_choice() -> None:
    fixed = explicit_link_variants()
    for story in build_catalogue().stories:
        if story.handwritten and story.story_id not in fixed:
            assert story.link_variant == link_variant(1, story.story_id)
