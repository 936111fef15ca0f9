"""Planning generated stories: publish times, story types, template choices and facts.

`Planner` walks a timeline and decides, story by story, what is published: a new story of a
weighted random type, or a same-day "sibling" of a recent story (same type and often the same
templates and city, different numbers) — the hard negatives an edition matcher must keep apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

from unn_ingest.replica.generator_lang import Day, Num
from unn_ingest.replica.generator_types import (
    ATTRIBUTIONS,
    DETAILS,
    Facts,
    Plan,
    StoryType,
    render_edition,
)
from unn_ingest.replica.generator_world import World

KYIV = ZoneInfo("Europe/Kyiv")
Window = tuple[datetime, datetime, float]  # [start, end) and the share of stories in it

# Relative publishing activity per Kyiv hour: quiet at night, busy from 7 to 22.
_HOUR_WEIGHT = (0.2,) * 6 + (0.5,) + (1.0,) * 15 + (0.6, 0.4)
_PARAGRAPH_COUNTS = (1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6, 8, 10)  # body paragraphs after the first
SIBLING_SHARE = 0.22


def publish_times(rng: Random, count: int, windows: Sequence[Window]) -> list[datetime]:
    """Draw `count` whole-minute UTC publish times over the windows, sorted, with a day rhythm."""
    times: list[datetime] = []
    remaining = count
    for i, (start, end, share) in enumerate(windows):
        n = remaining if i == len(windows) - 1 else min(remaining, round(count * share))
        remaining -= n
        minutes = max(1, int((end - start).total_seconds() // 60))
        base = start.astimezone(UTC).replace(second=0, microsecond=0)
        while n > 0:
            when = base + timedelta(minutes=rng.randrange(minutes))
            if rng.random() < _HOUR_WEIGHT[when.astimezone(KYIV).hour]:
                times.append(when)
                n -= 1
    times.sort()
    return times


class Planner:
    """Decides each story's type, facts and templates; keeps the day's stories for siblings."""

    def __init__(self, rng: Random, world: World, types: Sequence[StoryType]) -> None:
        self.rng, self.world, self.types = rng, world, tuple(types)
        self.weights = [kind.weight for kind in self.types]
        self.day: date | None = None
        self.today: list[tuple[datetime, Plan]] = []  # the day's stories that may get siblings
        self.daily_used: set[str] = set()

    def next_plan(self, when: datetime) -> tuple[datetime, Plan, bool]:
        """Plan the story published at `when`; return its (possibly moved) time, plan, sibling."""
        day = when.astimezone(KYIV).date()
        if day != self.day:
            self.day, self.today, self.daily_used = day, [], set()
        if self.today and self.rng.random() < SIBLING_SHARE:
            then, original = self.rng.choice(self.today[-40:])
            if self.rng.random() < 0.1:
                when = then  # the same minute: nothing but the content tells them apart
            plan, sibling = self.sibling(original, when), True
        else:
            plan, sibling = self.fresh(when), False
        if not plan.kind.daily:
            self.today.append((when, plan))  # daily types (the NBU rate) get no siblings
        return when, plan, sibling

    def fresh(self, when: datetime) -> Plan:
        """Plan a new story of a random type (daily types at most once a Kyiv day)."""
        while True:
            kind = self.rng.choices(self.types, self.weights)[0]
            if not kind.daily or kind.key not in self.daily_used:
                break
        if kind.daily:
            self.daily_used.add(kind.key)
        facts = kind.complete(kind.make_facts(self.rng, self.world, when))
        return self.choose_templates(kind, facts)

    def sibling(self, original: Plan, when: datetime) -> Plan:
        """Plan another story of the original's type and day, with different numbers."""
        kind = original.kind
        for _ in range(4):
            facts = kind.make_facts(self.rng, self.world, when)
            if kind.sibling_keys and self.rng.random() < 0.6:
                facts |= {key: original.facts[key] for key in kind.sibling_keys}
            facts = kind.complete(facts)
            recalls_original = bool(kind.recall_of) and self.rng.random() < 0.5
            if recalls_original:  # a follow-up that recalls the earlier story's facts
                facts |= {mine: original.facts[theirs] for mine, theirs in kind.recall_of}
                facts["r_day"] = Day(when.astimezone(KYIV).date())
            plan = self.choose_templates(kind, facts)
            if recalls_original:
                plan = replace(plan, recalls=tuple(sorted({0, *plan.recalls})))
            if self.rng.random() < 0.6:
                plan = _same_templates(plan, original)
            if render_edition(plan, "uk")[0] != render_edition(original, "uk")[0]:
                return plan
        return plan

    def choose_templates(self, kind: StoryType, facts: Facts) -> Plan:
        """Pick the title, lead, paragraphs, recall and attribution templates of a story."""
        rng = self.rng
        eligible = [
            i for i, (_, _, needs) in enumerate(kind.details) if not needs or needs in facts
        ]
        wanted = rng.choice(_PARAGRAPH_COUNTS)
        recalls: tuple[int, ...] = ()
        if kind.recalls and rng.random() < 0.5:
            wanted_recalls = min(len(kind.recalls), 1 + (rng.random() < 0.2))
            recalls = tuple(sorted(rng.sample(range(len(kind.recalls)), wanted_recalls)))
        details = tuple(sorted(rng.sample(eligible, max(1, min(wanted, len(eligible))))))
        first = rng.randrange(len(kind.firsts))
        return Plan(
            kind=kind,
            facts=facts,
            title=rng.randrange(len(kind.titles)),
            lead=rng.randrange(len(kind.leads)),
            first=first,
            details=details,
            recalls=recalls,
            attribution=self._attribution(kind, first),
            details_head=(rng.randrange(len(DETAILS)) if len(details) >= 2 else -1),
        )

    def _attribution(self, kind: StoryType, first: int) -> int:
        """Pick "UNN reports" or a variant (>= 0), or "UNN reports citing <source>" (< 0)."""
        if kind.sources and first not in kind.sourced_firsts and self.rng.random() < 0.25:
            return -1 - self.rng.randrange(len(kind.sources))
        return self.rng.randrange(len(ATTRIBUTIONS))


def _same_templates(plan: Plan, original: Plan) -> Plan:
    return Plan(
        kind=plan.kind,
        facts=plan.facts,
        title=original.title,
        lead=original.lead,
        first=original.first,
        details=plan.details,
        recalls=plan.recalls,
        attribution=original.attribution,
        details_head=plan.details_head,
    )


def _wrong(value: Num, rng: Random) -> float:
    """Return a plausible mistyped or outdated value: near the right one, never equal to it."""
    if value.decimals or value.value < 20:
        step = 10.0**-value.decimals
        wrong = value.value + rng.choice((-3, -2, -1, 1, 2, 3, 5)) * step
        return value.value + step if value.value > 0 >= wrong else round(wrong, value.decimals)
    digits = len(str(int(value.value)))
    wrong = float(round(value.value * rng.choice((0.7, 0.8, 0.9, 1.2, 1.3)), 2 - digits))
    return wrong if wrong != value.value else value.value + 10.0 ** (digits - 2)


def corrected(plan: Plan, rng: Random) -> Plan | None:
    """Return the plan as first published, with one correctable number wrong (None if none)."""
    keys = [key for key in plan.kind.correctable if isinstance(plan.facts.get(key), Num)]
    if not keys:
        return None
    key = rng.choice(keys)
    value = plan.facts[key]
    assert isinstance(value, Num)
    facts = plan.kind.complete(plan.facts | {key: Num(_wrong(value, rng), value.decimals)})
    return Plan(
        plan.kind,
        facts,
        plan.title,
        plan.lead,
        plan.first,
        plan.details,
        plan.recalls,
        plan.attribution,
        plan.details_head,
    )
