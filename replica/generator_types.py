"""Story types for the generator and the rendering of one planned story into three languages.

A `StoryType` is a bank of parallel templates (uk, en, ru; read from `templates/<key>.toml`)
plus a function that draws the facts; a `Plan` fixes which templates a story uses and its
facts, so every edition is a translation of the same text. `render_edition` turns a plan into
one edition's title, lead and body blocks.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from random import Random
from typing import Any

from unn_ingest.replica.generator_lang import LANGS, Bound, Slot, Term, bind, term
from unn_ingest.replica.generator_world import World
from unn_ingest.replica.model import Block, BlockKind

Tri = tuple[str, str, str]  # one template per language: uk, en, ru
Para = tuple[str, Tri, str]  # (block kind "p" or "quote", templates, fact it needs or "")
Facts = dict[str, Slot]
FactMaker = Callable[[Random, World, datetime], Facts]

DETAILS: tuple[Tri, ...] = (("Деталі", "Details", "Детали"), ("Деталі", "Details", "Подробности"))
RECALL: Tri = ("Нагадаємо", "Recall", "Напомним")
ATTRIBUTIONS: tuple[Tri, ...] = (
    (", передає УНН.", ", UNN reports.", ", передает УНН."),
    (", передає УНН.", ", UNN reports.", ", передает УНН."),
    (", пише УНН.", ", writes UNN.", ", пишет УНН."),
    (", повідомляє УНН.", ", UNN reports.", ", сообщает УНН."),
)
CITING: Tri = (
    ", передає УНН з посиланням на {}.",
    ", UNN reports citing {}.",
    ", передает УНН со ссылкой на {}.",
)


TEMPLATE_DIR = Path(__file__).parent / "templates"
_SECTIONS = ("titles", "leads", "firsts", "recalls", "sources", "tags")


class TemplateError(ValueError):
    """A template file is malformed."""


@dataclass(frozen=True, slots=True)
class StoryType:
    """A kind of news item: its rubric, templates and how its facts are drawn."""

    key: str  # "shelling", "nbu_rate", ...
    rubric_key: str
    make_facts: FactMaker
    titles: tuple[Tri, ...]
    leads: tuple[Tri, ...]
    firsts: tuple[Tri, ...]  # first paragraph without the final attribution
    details: tuple[Para, ...]
    recalls: tuple[Tri, ...]
    sources: tuple[Tri, ...]  # what "citing ..." names, in the accusative
    tags: tuple[Tri, ...]
    correctable: tuple[str, ...]  # Num facts a later correction may change
    sibling_keys: tuple[str, ...] = ()  # facts a same-day story of this type may share
    daily: bool = False  # at most one such story a day (e.g. the NBU rate)
    weight: float = 1.0  # relative frequency
    derive: Callable[[Facts], Facts] | None = None  # adds facts computed from others
    # (recall fact, fact) pairs: a same-day follow-up may recall the earlier story through the
    # first recall template, which must use exactly these facts and "r_day".
    recall_of: tuple[tuple[str, str], ...] = ()
    sourced_firsts: tuple[int, ...] = ()  # first paragraphs that already name their source

    def complete(self, facts: Facts) -> Facts:
        """Return the facts with the derived ones (re)computed."""
        return facts | self.derive(facts) if self.derive else facts


@dataclass(frozen=True, slots=True)
class Plan:
    """One story's template choices and facts; rendering it gives every edition."""

    kind: StoryType
    facts: Facts
    title: int
    lead: int
    first: int
    details: tuple[int, ...]
    recalls: tuple[int, ...]
    attribution: int  # index into ATTRIBUTIONS, or -1 - source index for "citing"
    details_head: int  # index into DETAILS; -1 for no subhead


def story_type(key: str, rubric_key: str, make_facts: FactMaker, **options: Any) -> StoryType:
    """Make a story type from `templates/<key>.toml` and the given facts and options."""
    with (TEMPLATE_DIR / f"{key}.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    try:
        s = {name: tuple(_tri(item) for item in raw.get(name, ())) for name in _SECTIONS}
        details = tuple(
            (item.get("kind", "p"), _tri(item), item.get("needs", "")) for item in raw["details"]
        )
    except KeyError as missing:
        raise TemplateError(f"{key}.toml: missing {missing}") from None
    texts = (s["titles"], s["leads"], s["firsts"], details, s["recalls"], s["sources"], s["tags"])
    sourced = tuple(i for i, item in enumerate(raw["firsts"]) if item.get("sourced"))
    return StoryType(key, rubric_key, make_facts, *texts, sourced_firsts=sourced, **options)


def load_terms(name: str) -> tuple[Term, ...]:
    """Load a list of terms (`[[<name>]]` tables with specs, uk, en, ru) from lexicon.toml."""
    return tuple(term(item.get("specs", ""), *_tri(item)) for item in lexicon()[name])


def load_table(name: str) -> tuple[dict[str, Any], ...]:
    """Load the raw `[[<name>]]` tables of lexicon.toml (for keys other than the forms)."""
    return tuple(lexicon()[name])


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """Return the parsed lexicon.toml (shared: do not mutate)."""
    with (TEMPLATE_DIR / "lexicon.toml").open("rb") as handle:
        return tomllib.load(handle)


def _tri(item: dict[str, str]) -> Tri:
    return (item["uk"], item["en"], item["ru"])


def render_edition(plan: Plan, lang: str) -> tuple[str, str, tuple[Block, ...]]:
    """Render a plan's title, lead and body blocks in `lang`."""
    i = LANGS.index(lang)
    kind, facts = plan.kind, bind(plan.facts, lang)
    title = _fill(kind.titles[plan.title][i], facts)
    lead = _fill(kind.leads[plan.lead][i], facts)
    first = _fill(kind.firsts[plan.first][i], facts) + _attribution(plan, i, facts)
    blocks = [Block("p", first)]
    if plan.details_head >= 0:
        blocks.append(_block("h2", DETAILS[plan.details_head][i], facts))
    for index in plan.details:
        block_kind, tri, _ = kind.details[index]
        blocks.append(_block("quote" if block_kind == "quote" else "p", tri[i], facts))
    if plan.recalls:
        blocks.append(_block("h2", RECALL[i], facts))
        blocks.extend(_block("p", kind.recalls[r][i], facts) for r in plan.recalls)
    return title, lead, tuple(blocks)


def render_tags(plan: Plan, lang: str) -> tuple[str, ...]:
    """Render the story's tags in `lang`."""
    i, facts = LANGS.index(lang), bind(plan.facts, lang)
    return tuple(tag[i].format_map(facts) for tag in plan.kind.tags)


def _attribution(plan: Plan, i: int, facts: dict[str, Bound]) -> str:
    if plan.attribution >= 0:
        return ATTRIBUTIONS[plan.attribution][i]
    source = plan.kind.sources[-1 - plan.attribution][i]
    return CITING[i].format(source.format_map(facts))


def _fill(template: str, facts: dict[str, Bound]) -> str:
    return _cap(template.format_map(facts)) if "{" in template else _static(template)


def _block(kind: BlockKind, template: str, facts: dict[str, Bound]) -> Block:
    if "{" in template:
        return Block(kind, _cap(template.format_map(facts)))
    return _static_block(kind, template)


@lru_cache(maxsize=4096)
def _static(template: str) -> str:
    """Return a fact-free template as text, one shared object per template (saves memory)."""
    return _cap(template)


@lru_cache(maxsize=4096)
def _static_block(kind: BlockKind, template: str) -> Block:
    return Block(kind, _static(template))


def _cap(text: str) -> str:
    """Capitalise the first letter (a slot such as a Latin name may start the sentence)."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text
