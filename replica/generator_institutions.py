"""Generated news from institutions: bribery cases, weekly flu figures, new Diia services."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random

from unn_ingest.replica.generator_lang import LANGS, Day, Money, Num, Term
from unn_ingest.replica.generator_plan import KYIV
from unn_ingest.replica.generator_types import Facts, StoryType, load_terms, story_type
from unn_ingest.replica.generator_world import CITIES, REGIONS, World

AGENCIES = load_terms("agencies")
SCHEMES = load_terms("schemes")
POSITIONS = load_terms("positions")
SERVICES = load_terms("services")


def _derive_position(facts: Facts) -> Facts:
    """Fill the office's city in ("заступник міського голови Харкова"), after siblings share."""
    office, city = facts["office"], facts["city"]
    assert isinstance(office, Term) and isinstance(city, Term)
    forms = []
    for i, lang in enumerate(LANGS):
        place = city.render(lang, "" if lang == "en" else "gen")
        forms.append(tuple(form.format(place) for form in office.forms[i]))
    return {"position": Term(office.specs, tuple(forms))}


def _court_facts(rng: Random, world: World, when: datetime) -> Facts:
    city, other = rng.sample(CITIES, 2)
    bribe = rng.choice((3, 5, 7, 10, 12, 15, 20, 25, 30, 40, 50, 70, 100, 150))
    return {
        "city": city.name,
        "office": rng.choice(POSITIONS),
        "agency": rng.choice(AGENCIES),
        "scheme": rng.choice(SCHEMES),
        "bribe": Money(bribe, "usd_k"),
        "first_part": Money(max(1, bribe // rng.choice((2, 3, 4))), "usd_k"),
        "bail": Money(rng.choice((0.5, 0.8, 1.2, 1.5, 2.4, 3.0, 5.0)), "uah_mln", 1),
        "cash": Money(rng.randint(2, 90), "usd_k"),
        "part": Num(rng.randint(2, 4)),
        "years": Num(rng.choice((8, 10, 12))),
        "date": Day(when.astimezone(KYIV).date() - timedelta(days=rng.choice((0, 0, 1)))),
        "r_day": Day((when - timedelta(days=rng.randint(2, 20))).date()),
        "r_city": other.name,
        "r_bribe": Money(rng.randint(2, 60), "usd_k"),
        "r_bribe2": Money(rng.randint(5, 90), "usd_k"),
        "r_years": Num(rng.randint(5, 9)),
    }


def _flu_facts(rng: Random, world: World, when: datetime) -> Facts:
    region, other = rng.sample(sorted(REGIONS), 2)
    cases = rng.randint(80, 2600) * 10
    return {
        "region": REGIONS[region],
        "cases": Num(cases),
        "pct": Num(rng.randint(3, 38)),
        "kids": Num(rng.randint(28, 56)),
        "hosp": Num(rng.randint(12, 240)),
        "classes": Num(rng.randint(5, 60)),
        "schools": Num(rng.randint(2, 19)),
        "vacc": Num(rng.randint(30, 900) * 100),
        "flu": Num(rng.randint(2, 40)),
        "minister": world.officials["health_minister"],
        "r_region": REGIONS[other],
        "r_cases": Num(rng.randint(80, 2600) * 10),
    }


def _diia_facts(rng: Random, world: World, when: datetime) -> Facts:
    service, other = rng.sample(SERVICES, 2)
    users = rng.randint(12, 900) * 100
    return {
        "service": service,
        "days": Num(rng.randint(2, 14)),
        "users": Num(users),
        "apps": Num(users * rng.randint(5, 9) // 100 * 10),
        "minister": world.officials["digital_minister"],
        "minutes": Num(rng.choice((2, 3, 5, 7, 10, 15))),
        "total_users": Num(round(rng.uniform(21.0, 23.5), 1), 1),
        "services_total": Num(rng.randint(120, 160)),
        "r_day": Day((when - timedelta(days=rng.randint(5, 40))).date()),
        "r_service": other,
    }


COURT = story_type(
    "court",
    "criminal",
    _court_facts,
    derive=_derive_position,
    weight=1.2,
    correctable=("cash", "part"),
    sibling_keys=("agency", "city"),
    recall_of=(("r_city", "city"), ("r_bribe", "bribe")),
)
FLU = story_type("flu", "health", _flu_facts, weight=0.7, correctable=("cases", "hosp"))
DIIA = story_type("diia", "tech", _diia_facts, weight=0.5, correctable=("users", "apps"))

STORY_TYPES: tuple[StoryType, ...] = (COURT, FLU, DIIA)
