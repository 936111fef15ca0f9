"""Generate any number of trilingual news stories from parametrised templates, per seed.

`generate_stories(seed, count, start, days)` returns `count` stories (not articles: a story has
one to three editions, ~2.7 on average) published over `[start, start + days)`. Each story's
editions are renderings of one plan (see `generator_plan`), so they share every fact. The mix
follows what is known of unn.ua: most stories in all three editions, some uk-only or in two;
translations often late; several stories of one type a day (hard negatives for linking); some
corrected after publication; a few republished under a new slug.
"""

from __future__ import annotations

import gc
import hashlib
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from random import Random

from unn_ingest.replica.generator_lang import LANGS
from unn_ingest.replica.generator_plan import KYIV, Planner, Window, corrected, publish_times
from unn_ingest.replica.generator_registry import ALL_TYPES
from unn_ingest.replica.generator_types import Plan, render_edition, render_tags
from unn_ingest.replica.generator_world import World, build_world
from unn_ingest.replica.model import EditionText, LinkVariant, Revision, Story
from unn_ingest.replica.render_text import WORDS
from unn_ingest.replica.translit import slugify

__all__ = [
    "ARTICLES_PER_STORY",
    "claim_slug",
    "generate_stories",
    "iter_stories",
    "link_variant",
    "paused_gc",
    "stories_for_articles",
]

ARTICLES_PER_STORY = 2.7  # measured mean editions per generated story (100k articles: 2.705)
EDITION_SETS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("uk", "en", "ru"), 0.80),
    (("uk",), 0.10),
    (("uk", "en"), 0.07),
    (("uk", "ru"), 0.03),
)
DELAYED_SHARE = 0.30  # of translated editions
CORRECTED_SHARE = 0.06
REPUBLISHED_SHARE = 0.01
SHORTENED_SHARE = 0.12  # of translations with 3+ detail paragraphs: one paragraph left out
VARIANT_SHARES: tuple[tuple[LinkVariant, float], ...] = (
    ("hreflang", 0.4),
    ("switcher", 0.3),
    ("home", 0.3),
)
_CREDITS = (("УНН", "UNN", "УНН"), ("Getty Images",) * 3, ("Reuters",) * 3, ("ДСНС", "SES", "ГСЧС"))


def stories_for_articles(n_articles: int) -> int:
    """Return how many generated stories give about `n_articles` articles (editions)."""
    return max(1, round(n_articles / ARTICLES_PER_STORY))


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic records.

    Stories hold no reference cycles, but every few hundred new objects trigger a collection
    that walks all live ones: at 100k articles that doubled the build time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def generate_stories(seed: int, count: int, start: datetime, days: float) -> list[Story]:
    """Generate `count` stories published over [start, start + days), deterministic per seed."""
    with paused_gc():
        stories = list(iter_stories(seed, count, [(start, start + timedelta(days=days), 1.0)]))
    stories.sort(key=lambda story: (story.published_at, story.story_id))
    return stories


def iter_stories(
    seed: int, count: int, windows: Sequence[Window], taken: set[tuple[str, str]] | None = None
) -> Iterator[Story]:
    """Yield `count` stories over the windows, nearly in publish order; `taken`: used slugs."""
    state = _State(seed, Random(seed), build_world(seed), set() if taken is None else taken)
    planner = Planner(state.rng, state.world, ALL_TYPES)
    times = publish_times(state.rng, count, windows)
    for index, when in enumerate(times, start=1):
        story_id = f"g{index:05d}"
        recent = state.republishable
        if recent and state.rng.random() < REPUBLISHED_SHARE:
            yield state.republish(story_id, when, state.rng.choice(recent))
            continue
        when, plan, _ = planner.next_plan(when)
        story = state.build(story_id, when, plan)
        recent.append(story)
        yield story


@dataclass
class _State:
    """What story building needs across stories: the rng, the cast, used slugs and images."""

    seed: int
    rng: Random
    world: World
    taken: set[tuple[str, str]]
    images: set[str] = field(default_factory=set)
    republishable: deque[Story] = field(default_factory=lambda: deque(maxlen=200))

    def build(self, story_id: str, when: datetime, plan: Plan) -> Story:
        """Build the story of a plan: editions, delays, corrections, image, author."""
        rng = self.rng
        editions_set = rng.choices([e for e, _ in EDITION_SETS], [w for _, w in EDITION_SETS])[0]
        author = rng.choice(self.world.authors[plan.kind.rubric_key])
        earlier = self._earlier_plan(plan) if rng.random() < CORRECTED_SHARE else None
        credit = rng.choice(_CREDITS) if rng.random() < 0.2 else None
        editions = {}
        for lang in editions_set:
            i = LANGS.index(lang)
            delay = rng.randint(1, 240) if lang != "uk" and rng.random() < DELAYED_SHARE else 0
            visible = when + timedelta(minutes=delay)
            texts = self._shortened(plan, earlier) if lang != "uk" else (plan, earlier)
            edition = self._edition(texts[0], lang, author.names[i], (visible, delay), texts[1])
            editions[lang] = _with_credit(edition, credit[i] if credit else None)
        return Story(
            story_id=story_id,
            published_at=when,
            rubric_key=plan.kind.rubric_key,
            image_path=self.image_path(when),
            editions=editions,
            link_variant=link_variant(self.seed, story_id),
            exclusive=rng.random() < 0.02,
            badges=rng.choice(((),) * 17 + (("Photo",), ("Photo",), ("Video",))),
        )

    def _shortened(self, plan: Plan, earlier: Plan | None) -> tuple[Plan, Plan | None]:
        """Now and then drop one detail paragraph from a translation, as translators do."""
        if len(plan.details) < 3 or self.rng.random() >= SHORTENED_SHARE:
            return plan, earlier
        dropped = self.rng.choice(plan.details)
        kept = tuple(index for index in plan.details if index != dropped)
        return replace(plan, details=kept), earlier and replace(earlier, details=kept)

    def _earlier_plan(self, plan: Plan) -> Plan | None:
        """Return the first-published version of a corrected story, if its text differs."""
        earlier = corrected(plan, self.rng)
        if earlier is None or render_edition(earlier, "uk") == render_edition(plan, "uk"):
            return None
        return earlier

    def _edition(
        self, plan: Plan, lang: str, author: str, shown: tuple[datetime, int], earlier: Plan | None
    ) -> EditionText:
        """Render one edition shown from (time, delay); `earlier` is its first, wrong text."""
        visible, delay = shown
        title, lead, blocks = render_edition(plan, lang)
        revisions: tuple[Revision, ...] = ()
        first_title = title
        old = render_edition(earlier, lang) if earlier is not None else None
        if old is not None and old != (title, lead, blocks):  # the wrong number may be cut
            replaced_at = visible + timedelta(minutes=self.rng.randint(20, 600))
            revisions = (Revision(replaced_at, *old),)
            first_title = old[0]
        return EditionText(
            edition=lang,
            slug=self.unique_slug(lang, slugify(first_title, lang)),
            title=title,
            lead=lead,
            blocks=blocks,
            author=author,
            rubric=_rubric_name(lang, plan.kind.rubric_key),
            tags=render_tags(plan, lang),
            delay_minutes=delay,
            revisions=revisions,
        )

    def republish(self, story_id: str, when: datetime, original: Story) -> Story:
        """Publish an earlier story again under new slugs (same text, new time and image)."""
        editions = {
            lang: _replace_slug(text, self.unique_slug(lang, text.slug))
            for lang, text in original.editions.items()
        }
        return Story(
            story_id=story_id,
            published_at=when,
            rubric_key=original.rubric_key,
            image_path=self.image_path(when),
            editions=editions,
            link_variant=link_variant(self.seed, story_id),
            republication_of=original.story_id,
        )

    def unique_slug(self, lang: str, slug: str) -> str:
        """Return `slug`, or `slug-2`, `slug-3`... if the edition already uses it."""
        return claim_slug(self.taken, lang, slug)

    def image_path(self, when: datetime) -> str:
        """Return a new unique lead-image path; the folder date is sometimes a day off."""
        folder_day = when.astimezone(KYIV).date()
        if self.rng.random() < 0.05:
            folder_day += timedelta(days=self.rng.choice((-1, 1)))
        while True:
            ts = int(when.timestamp()) - self.rng.randint(0, 900)
            path = f"/img/{folder_day:%Y/%m/%d}/{ts}-{self.rng.randint(1000, 9999)}-large.webp"
            if path not in self.images:
                self.images.add(path)
                return path


def link_variant(seed: int, story_id: str) -> LinkVariant:
    """Return the seed's link variant for a story: ~40% hreflang, 30% switcher, 30% home."""
    digest = hashlib.blake2b(f"{seed}:{story_id}".encode(), digest_size=8).digest()
    fraction = int.from_bytes(digest, "big") / 2**64
    for variant, share in VARIANT_SHARES:
        if fraction < share:
            return variant
        fraction -= share
    return VARIANT_SHARES[-1][0]


def claim_slug(taken: set[tuple[str, str]], lang: str, slug: str) -> str:
    """Mark (lang, slug) as used, suffixing `-2`, `-3`... on a clash; return the slug used."""
    candidate, n = slug, 1
    while (lang, candidate) in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken.add((lang, candidate))
    return candidate


def _rubric_name(lang: str, rubric_key: str) -> str:
    return dict(WORDS[lang].rubrics)[rubric_key]


def _with_credit(text: EditionText, credit: str | None) -> EditionText:
    if credit is None:
        return text
    return _copy(text, photo_credit=credit)


def _replace_slug(text: EditionText, slug: str) -> EditionText:
    return _copy(text, slug=slug, revisions=(), delay_minutes=0)


def _copy(text: EditionText, **changes: object) -> EditionText:
    return replace(text, **changes)  # type: ignore[arg-type]
