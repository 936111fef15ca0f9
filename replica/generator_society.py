"""Generated society news: weather warnings, road accidents, exhibitions and football."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from unn_ingest.replica.generator_lang import Day, Num, Term
from unn_ingest.replica.generator_plan import KYIV
from unn_ingest.replica.generator_types import Facts, StoryType, load_table, load_terms, story_type
from unn_ingest.replica.generator_war import DAYPARTS, Toll, derive_toll
from unn_ingest.replica.generator_world import CITIES, REGIONS, World, random_person

WINTER = load_terms("winter_weather")
SUMMER = load_terms("summer_weather")
LEVELS = load_terms("danger_levels")
WIND_DIRECTIONS = load_terms("wind_directions")
ROADS = load_terms("roads")
ROAD_REGIONS = tuple(tuple(row["regions"].split()) for row in load_table("roads"))
VEHICLES = load_terms("vehicles")
TOPICS = load_terms("topics")
VENUES = load_terms("venues")
TEAMS = load_terms("teams")
_RESULT = {
    "uk": ("перемогу здобула команда {}", "команди зіграли внічию"),
    "en": ("{} won", "the teams drew"),
    "ru": ("победу одержала команда {}", "команды сыграли вничью"),
}
_RESULT_TITLE = {
    "uk": ("перемога команди {}", "нічия"),
    "en": ("{} win", "a draw"),
    "ru": ("победа команды {}", "ничья"),
}


def _weather_facts(rng: Random, world: World, when: datetime) -> Facts:
    region, other = rng.sample(sorted(REGIONS), 2)
    today = when.astimezone(KYIV).date()
    winter = today.month in (11, 12, 1, 2, 3)
    low = rng.randint(-14, 2) if winter else rng.randint(8, 18)
    high = low + rng.randint(4, 10)
    kyiv_low = low + rng.randint(-2, 2)
    return {
        "region": REGIONS[region],
        "phen": rng.choice(WINTER if winter else SUMMER),
        "level": rng.choice(LEVELS[:2] if rng.random() < 0.9 else LEVELS),
        "date": Day(today + timedelta(days=rng.choice((0, 1, 1)))),
        "t_min": Num(low),
        "t_max": Num(high),
        "t_night": Num(low + rng.randint(2, 4)),
        "t_day": Num(high - rng.randint(2, 4)),
        "kyiv_min": Num(kyiv_low),
        "kyiv_max": Num(kyiv_low + rng.randint(3, 8)),
        "wind_dir": rng.choice(WIND_DIRECTIONS),
        "wind_lo": Num(rng.randint(3, 7)),
        "wind_hi": Num(rng.randint(9, 15)),
        "pressure": Num(rng.randint(738, 762)),
        "forecaster": world.officials["weather_head"],
        "r_day": Day(today - timedelta(days=rng.randint(2, 9))),
        "r_region": REGIONS[other],
        "r_phen": rng.choice(WINTER if winter else SUMMER),
        "r_level": rng.choice(LEVELS[:2]),
    }


def _accident_facts(rng: Random, world: World, when: datetime) -> Facts:
    road = rng.randrange(len(ROADS))
    region = rng.choice(ROAD_REGIONS[road])
    other = rng.choice([key for key in sorted(REGIONS) if key != region])
    injured = rng.randint(1, 19)
    return {
        "region": REGIONS[region],
        "road": ROADS[road],
        "vehicles": rng.choice(VEHICLES),
        "daypart": rng.choice(DAYPARTS),
        "killed": Num(rng.choice((0, 0, 1, 1, 2, 3))),
        "injured": Num(injured),
        "part": Num(rng.randint(1, 3)),
        "age": Num(rng.randint(19, 67)),
        "trapped": Num(rng.randint(1, min(4, injured))),
        "r_day": Day((when - timedelta(days=rng.randint(1, 8))).date()),
        "r_region": REGIONS[other],
        "r_toll": Toll(rng.choice((0, 1, 2)), rng.randint(1, 9)),
    }


def _exhibition_facts(rng: Random, world: World, when: datetime) -> Facts:
    city, other = rng.sample(CITIES, 2)
    opened = when.astimezone(KYIV).date()
    return {
        "city": city.name,
        "topic": rng.choice(TOPICS),
        "venue": rng.choice(VENUES),
        "open": Day(opened),
        "close": Day(opened + timedelta(days=rng.randint(14, 90))),
        "works": Num(rng.randint(3, 40) * 10),
        "collections": Num(rng.randint(2, 14)),
        "curator": random_person(rng, 0.6),
        "visitors": Num(rng.randint(4, 90) * 100),
        "r_day": Day(opened - timedelta(days=rng.randint(3, 20))),
        "r_city": other.name,
        "r_visitors": Num(rng.randint(10, 200) * 100),
    }


@dataclass(frozen=True, slots=True)
class Result:
    """A match outcome: "перемогу здобула команда «X»" / "X won"; `title`: "X win", "a draw"."""

    winner: Term | None

    def render(self, lang: str, spec: str) -> str:
        """Return the outcome clause (or, for spec "title", the headline phrase) in `lang`."""
        won, drew = (_RESULT_TITLE if spec == "title" else _RESULT)[lang]
        return won.format(self.winner.render(lang, "")) if self.winner else drew


def _football_facts(rng: Random, world: World, when: datetime) -> Facts:
    home, away, team, team2 = rng.sample(TEAMS, 4)
    hg, ag = rng.choice((0, 1, 1, 2, 2, 3, 4)), rng.choice((0, 0, 1, 1, 2, 3))
    today = when.astimezone(KYIV).date()
    facts: Facts = {
        "home": home,
        "away": away,
        "hg": Num(hg),
        "ag": Num(ag),
        "result": Result(home if hg > ag else away if ag > hg else None),
        "round": Num(rng.randint(3, 28)),
        "attendance": Num(rng.randint(8, 120) * 100),
        "points": Num(rng.randint(5, 58)),
        "place": Num(rng.randint(1, 16)),
        "coach": random_person(rng, 0.0),
        "next_day": Day(today + timedelta(days=rng.randint(5, 9))),
        "cards": Num(rng.randint(1, 7)),
        "pause": Num(rng.randint(12, 45)),
        "r_day": Day(today - timedelta(days=rng.randint(6, 8))),
        "r_team": team,
        "r_team2": team2,
        "r_hg": Num(rng.randint(0, 3)),
        "r_ag": Num(rng.randint(0, 3)),
    }
    if hg + ag:
        facts |= {"scorer": random_person(rng, 0.0), "minute": Num(rng.randint(3, 88))}
    return facts


WEATHER = story_type(
    "weather",
    "society",
    _weather_facts,
    correctable=("t_min", "wind_hi"),
    sibling_keys=("phen",),
    recall_of=(("r_region", "region"), ("r_phen", "phen"), ("r_level", "level")),
)
ROAD_ACCIDENT = story_type(
    "road_accident",
    "society",
    _accident_facts,
    derive=derive_toll,
    correctable=("injured",),
    sibling_keys=("road", "region"),
    recall_of=(("r_region", "region"), ("r_toll", "toll")),
)
EXHIBITION = story_type(
    "exhibition", "society", _exhibition_facts, weight=0.6, correctable=("works", "visitors")
)
FOOTBALL = story_type(
    "football", "society", _football_facts, weight=0.8, correctable=("attendance", "points")
)

STORY_TYPES: tuple[StoryType, ...] = (WEATHER, ROAD_ACCIDENT, EXHIBITION, FOOTBALL)
