"""Generated politics and world news: Cabinet allocations and partners' aid packages."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random

from unn_ingest.replica.generator_lang import Day, Money, Num, Term, phrase
from unn_ingest.replica.generator_plan import KYIV
from unn_ingest.replica.generator_types import Facts, StoryType, load_terms, story_type
from unn_ingest.replica.generator_world import COUNTRIES, REGIONS, World, random_person

PURPOSES = load_terms("purposes")
AID_KINDS = load_terms("aid_kinds")


def _uah(rng: Random) -> Money:
    """Draw a Cabinet allocation: tens to hundreds of millions, now and then billions."""
    if rng.random() < 0.15:
        return Money(round(rng.uniform(1.1, 9.8), 1), "uah_bn", 1)
    return Money(rng.choice((12, 25, 38, 47, 56, 75, 90, 120, 148, 230, 315, 480, 650)), "uah_mln")


def _gov_facts(rng: Random, world: World, when: datetime) -> Facts:
    region, other = rng.sample(sorted(REGIONS), 2)
    today = when.astimezone(KYIV).date()
    return {
        "region": REGIONS[region],
        "purpose": rng.choice(PURPOSES),
        "amount": _uah(rng),
        "date": Day(today),
        "pm": world.officials["prime_minister"],
        "n_obj": Num(rng.randint(3, 140)),
        "n_comm": Num(rng.randint(2, 38)),
        "deadline": Day(today + timedelta(days=rng.randint(30, 200))),
        "prev_amount": _uah(rng),
        "year_total": Money(round(rng.uniform(10.5, 38.0), 1), "uah_bn", 1),
        "r_day": Day(today - timedelta(days=rng.randint(2, 12))),
        "r_amount": _uah(rng),
        "r_purpose": rng.choice(PURPOSES),
        "r_region": REGIONS[other],
        "fund_add": Money(round(rng.uniform(2.0, 25.0), 1), "uah_bn", 1),
    }


def _aid_facts(rng: Random, world: World, when: datetime) -> Facts:
    country, other = rng.sample(COUNTRIES, 2)
    today = when.astimezone(KYIV).date()
    unit = rng.choice(("eur_mln", "eur_mln", "usd_mln"))
    return {
        "country": country.name,
        "minister": country.minister,
        "amount": Money(rng.choice((15, 20, 35, 50, 75, 100, 120, 150, 200, 250, 400, 500)), unit),
        "kind": rng.choice(AID_KINDS),
        "package": Num(rng.randint(5, 30)),
        "total": Money(round(rng.uniform(1.2, 18.0), 1), "eur_bn", 1),
        "deadline": Day(today + timedelta(days=rng.randint(20, 120))),
        "r_day": Day(today - timedelta(days=rng.randint(2, 20))),
        "r_country": other.name,
        "r_amount": Money(rng.choice((10, 25, 40, 60, 80, 130, 300)), "eur_mln"),
        "r_kind": rng.choice(AID_KINDS),
    }


GOV_DECISION = story_type(
    "gov_decision",
    "politics",
    _gov_facts,
    weight=1.2,
    correctable=("n_obj", "n_comm"),
    sibling_keys=("region",),
    recall_of=(("r_amount", "amount"), ("r_purpose", "purpose"), ("r_region", "region")),
)
AID = story_type(
    "aid",
    "world",
    _aid_facts,
    correctable=("package",),
    sibling_keys=("kind",),
    recall_of=(("r_country", "country"), ("r_amount", "amount"), ("r_kind", "kind")),
)

BILL_TOPICS = load_terms("bill_topics")
READINGS = load_terms("readings")


def _bill(rng: Random) -> Term:
    number = str(rng.randint(11_000, 14_600))  # bills are written without a separator
    return phrase(number, number, number)


def _rada_facts(rng: Random, world: World, when: datetime) -> Facts:
    today = when.astimezone(KYIV).date()
    votes = rng.randint(226, 330)
    return {
        "bill": _bill(rng),
        "topic": rng.choice(BILL_TOPICS),
        "reading": rng.choice(READINGS),
        "votes": Num(votes),
        "against": Num(rng.randint(2, 25)),
        "abstained": Num(rng.randint(3, 30)),
        "mp": random_person(rng, 0.35),
        "months": Num(rng.choice((1, 3, 6))),
        "reg_day": Day(today - timedelta(days=rng.randint(20, 200))),
        "r_day": Day(today - timedelta(days=rng.randint(3, 30))),
        "r_bill": _bill(rng),
        "r_topic": rng.choice(BILL_TOPICS),
    }


RADA_VOTE = story_type(
    "rada_vote",
    "politics",
    _rada_facts,
    weight=0.8,
    correctable=("votes", "against"),
    sibling_keys=("reading",),
    recall_of=(("r_bill", "bill"), ("r_topic", "topic")),
)

STORY_TYPES: tuple[StoryType, ...] = (GOV_DECISION, AID, RADA_VOTE)
