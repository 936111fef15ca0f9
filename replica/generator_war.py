"""Generated war news: shelling reports and prisoner exchanges, in uk, en and ru."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from random import Random

from unn_ingest.replica.generator_lang import Bound, Day, Num
from unn_ingest.replica.generator_plan import KYIV
from unn_ingest.replica.generator_types import Facts, StoryType, lexicon, load_terms, story_type
from unn_ingest.replica.generator_world import CITIES, REGIONS, World

WEAPONS = load_terms("weapons")
DAYPARTS = load_terms("dayparts")
TARGETS = load_terms("targets")
_TOLL: dict[str, dict[str, str]] = lexicon()["toll"]


@dataclass(frozen=True, slots=True)
class Toll:
    """Killed and injured in one attack, as a clause ("" spec) or a headline phrase ("title")."""

    killed: int
    injured: int

    def render(self, lang: str, spec: str) -> str:
        """Return the casualty clause (or headline phrase) in `lang`."""
        pattern = _TOLL[lang][(spec or "clause") + ("_killed" if self.killed else "")]
        return pattern.format(k=Bound(Num(self.killed), lang), n=Bound(Num(self.injured), lang))


def derive_toll(facts: Facts) -> Facts:
    """Compute the casualty clause from the killed and injured counts."""
    killed, injured = facts["killed"], facts["injured"]
    assert isinstance(killed, Num) and isinstance(injured, Num)
    return {"toll": Toll(int(killed.value), int(injured.value))}


def _shelling_facts(rng: Random, world: World, when: datetime) -> Facts:
    city, other = rng.sample(CITIES, 2)
    injured = rng.choice((1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 17, 19, 23, 28, 34, 41))
    facts: Facts = {
        "city": city.name,
        "region": REGIONS[city.region],
        "official": world.region_heads[city.region],
        "weapon": rng.choice(WEAPONS),
        "daypart": rng.choice(DAYPARTS),
        "target": rng.choice(TARGETS),
        "killed": Num(rng.choice((0, 0, 0, 0, 1, 1, 2, 3, 4))),
        "injured": Num(injured),
        "hosp": Num(max(1, injured // rng.choice((1, 2, 3)))),
        "houses": Num(rng.randint(2, 60)),
        "cars": Num(rng.randint(1, 19)),
        "alarm": Num(rng.randint(1, 7)),
        "r_day": Day((when - timedelta(days=rng.randint(1, 3))).date()),
        "r_city": other.name,
        "r2_day": Day((when - timedelta(days=rng.randint(4, 9))).date()),
        "r2_city": rng.choice(CITIES).name,
        "r_weapon": rng.choice(WEAPONS),
        "r_houses": Num(rng.randint(3, 80)),
        "r_toll": Toll(rng.choice((0, 0, 1, 2)), rng.randint(1, 30)),
    }
    if rng.random() < 0.35:
        facts["children"] = Num(rng.randint(1, 3))
    return facts


SHELLING = story_type(
    "shelling",
    "war",
    _shelling_facts,
    derive=derive_toll,
    weight=3.0,
    correctable=("injured", "houses"),
    sibling_keys=("city", "region", "official"),
    recall_of=(("r_city", "city"), ("r_toll", "toll")),
)

MEDIATORS = load_terms("mediators")
# Returned prisoners: never a count ending in 1 (but 11), where uk/ru verbs turn singular.
_RETURNED = (75, 84, 90, 95, 103, 108, 115, 127, 150, 175, 189, 205, 246, 270, 303, 390)


def _exchange_facts(rng: Random, world: World, when: datetime) -> Facts:
    returned = rng.choice(_RETURNED)
    civilians = rng.randint(1, 12)
    nth = 50 + (when.toordinal() - 739000) // 9  # the exchanges so far, growing with time
    return {
        "returned": Num(returned),
        "military": Num(returned - civilians),
        "civ": Num(civilians),
        "nth": Num(nth),
        "total": Num(4000 + (nth - 50) * 95 + rng.randint(0, 80)),
        "young": Num(rng.randint(19, 24)),
        "old": Num(rng.randint(55, 64)),
        "ombudsman": world.officials["ombudsman"],
        "mediator": rng.choice(MEDIATORS),
        "r_day": Day((when - timedelta(days=rng.randint(7, 30))).date()),
        "r_returned": Num(rng.choice(_RETURNED)),
    }


EXCHANGE = story_type(
    "exchange", "war", _exchange_facts, weight=0.3, daily=True, correctable=("total",)
)

# General Staff series: (total on 2025-01-01, mean daily rise, wobble) per kind of loss.
_SERIES = {
    "personnel": (790_000, 1100.0, 140.0),
    "tanks": (9_700, 4.0, 1.4),
    "afv": (20_200, 9.0, 3.0),
    "art": (22_000, 32.0, 9.0),
    "mlrs": (1_250, 1.6, 0.7),
    "uav": (23_000, 120.0, 35.0),
    "cars": (34_000, 45.0, 14.0),
}
_SERIES_START = date(2025, 1, 1).toordinal()


def loss_series(kind: str, day: date) -> tuple[int, int]:
    """Return the General Staff's (total, rise over the day) of a kind of loss on `day`."""
    base, step, wobble = _SERIES[kind]

    def total(ordinal: int) -> int:
        n = ordinal - _SERIES_START
        return math.floor(base + step * n + wobble * math.sin(n * 1.3))

    today = day.toordinal()
    return total(today), total(today) - total(today - 1)


def _losses_facts(rng: Random, world: World, when: datetime) -> Facts:
    day = when.astimezone(KYIV).date()
    facts: Facts = {"date": Day(day), "total_missiles": Num(3_600 + (day.toordinal() % 400))}
    for kind, daily in (
        ("personnel", "personnel"),
        ("tanks", "tanks"),
        ("afv", "afv"),
        ("art", "artillery"),
        ("mlrs", "mlrs"),
        ("uav", "uav"),
        ("cars", "cars"),
    ):
        total, rise = loss_series(kind, day)
        facts[f"total_{kind}"] = Num(total)
        facts[daily] = Num(max(1, rise))
    facts["prev_personnel"] = Num(loss_series("personnel", day - timedelta(days=1))[1])
    return facts


ENEMY_LOSSES = story_type(
    "enemy_losses", "war", _losses_facts, daily=True, weight=0.5, correctable=("tanks",)
)

STORY_TYPES: tuple[StoryType, ...] = (SHELLING, EXCHANGE, ENEMY_LOSSES)
