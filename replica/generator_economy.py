"""Generated economy news: the NBU's official rate and power outages, in uk, en and ru."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from random import Random

from unn_ingest.replica.generator_lang import Day, Money, Num, Term, phrase
from unn_ingest.replica.generator_plan import KYIV
from unn_ingest.replica.generator_types import Facts, StoryType, load_terms, story_type
from unn_ingest.replica.generator_world import REGIONS, World

CAUSES = load_terms("causes")
RATE_MOVES = load_terms("rate_moves")  # weakened, strengthened
_POINTS = (25, 36, 48, 57, 60, 75, 88, 96, 105, 120, 138, 150)


def official_rate(day: date) -> float:
    """Return the dollar's official rate for a day: a smooth walk, the same for every seed."""
    n = day.toordinal()
    wobble = 0.35 * math.sin(n / 9.0) + 0.12 * math.sin(n / 2.3) + 0.05 * math.sin(n * 1.7)
    return round(41.6 + wobble, 2)


def _nbu_facts(rng: Random, world: World, when: datetime) -> Facts:
    day = when.astimezone(KYIV).date() + timedelta(days=1)
    usd, prev = official_rate(day), official_rate(day - timedelta(days=1))
    if usd == prev:
        usd = round(usd + 0.01, 2)
    eur = round(usd * (1.155 + 0.01 * math.sin(day.toordinal() / 5.0)), 2)
    return {
        "date": Day(day),
        "usd": Num(usd, 2),
        "prev": Num(prev, 2),
        "chg": Num(round(abs(usd - prev) * 100)),
        "dir": RATE_MOVES[0] if usd > prev else RATE_MOVES[1],
        "eur": Num(eur, 2),
        "pln": Num(round(usd / 3.67 + rng.uniform(-0.05, 0.05), 2), 2),
        "cash_sell": Num(round(usd + rng.uniform(0.2, 0.6), 2), 2),
        "cash_buy": Num(round(usd - rng.uniform(0.05, 0.4), 2), 2),
        "inter": Num(round(usd + rng.uniform(-0.1, 0.1), 2), 2),
        "sold": Money(rng.randint(500, 1200), "usd_mln"),
        "reserves": Money(round(rng.uniform(38, 48), 1), "usd_bn", 1),
        "key_rate": Num(rng.choice((13, 13.5, 14.5, 15.5)), 1),
    }


def _hour(value: int) -> Term:
    text = f"{value:02d}:00"
    return phrase(text, text, text)


def _outage_facts(rng: Random, world: World, when: datetime) -> Facts:
    region_key, other = rng.sample(sorted(REGIONS), 2)
    customers = rng.randint(12, 2400) * 100
    start = rng.randint(5, 9)
    return {
        "region": REGIONS[region_key],
        "cause": rng.choice(CAUSES),
        "date": Day(when.astimezone(KYIV).date()),
        "customers": Num(customers),
        "restored": Num(max(100, customers * rng.randint(3, 9) // 1000 * 100)),
        "queues": Num(rng.randint(2, 5)),
        "h_from": _hour(start),
        "h_to": _hour(rng.randint(start + 12, 23)),
        "minister": world.officials["energy_minister"],
        "import_mwh": Num(rng.randint(40, 180) * 100),
        "points": Num(rng.choice(_POINTS)),
        "r_day": Day((when - timedelta(days=rng.randint(1, 5))).date()),
        "r_region": REGIONS[other],
        "r_customers": Num(rng.randint(12, 900) * 100),
    }


NBU_RATE = story_type(
    "nbu_rate", "economics", _nbu_facts, daily=True, correctable=("cash_sell", "pln")
)
OUTAGE = story_type(
    "outage",
    "economics",
    _outage_facts,
    weight=1.5,
    correctable=("customers", "restored"),
    sibling_keys=("region", "cause"),
    recall_of=(("r_region", "region"), ("r_customers", "customers")),
)

STORY_TYPES: tuple[StoryType, ...] = (NBU_RATE, OUTAGE)
