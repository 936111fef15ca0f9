"""Generated war news: shelling reports and prisoner exchanges, in uk, en and ru."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from replica.generator_lang import Day, Num, Term, phrase, plural_index, term
from replica.generator_types import Facts, StoryType, p, q
from replica.generator_world import CITIES, REGIONS, World

WEAPONS = (
    term(
        "|ins|gen",
        "ударні дрони|ударними дронами|ударних дронів",
        "attack drones",
        "ударные дроны|ударными дронами|ударных дронов",
    ),
    term(
        "|ins|gen",
        "балістичні ракети|балістичними ракетами|балістичних ракет",
        "ballistic missiles",
        "баллистические ракеты|баллистическими ракетами|баллистических ракет",
    ),
    term(
        "|ins|gen",
        "керовані авіабомби|керованими авіабомбами|керованих авіабомб",
        "guided aerial bombs",
        "управляемые авиабомбы|управляемыми авиабомбами|управляемых авиабомб",
    ),
    term(
        "|ins|gen",
        "реактивні системи залпового вогню|реактивними системами залпового вогню|"
        "реактивних систем залпового вогню",
        "multiple rocket launchers",
        "реактивные системы залпового огня|реактивными системами залпового огня|"
        "реактивных систем залпового огня",
    ),
)
DAYPARTS = (
    phrase("вночі", "overnight", "ночью"),
    phrase("вранці", "in the morning", "утром"),
    phrase("вдень", "in the afternoon", "днем"),
    phrase("увечері", "in the evening", "вечером"),
)
TARGETS = (
    phrase("багатоповерховий житловий будинок", "a multi-storey residential building", "многоэтажный жилой дом"),
    phrase("приватний сектор", "the private sector", "частный сектор"),
    phrase("промислове підприємство", "an industrial enterprise", "промышленное предприятие"),
    phrase("об'єкт критичної інфраструктури", "a critical infrastructure facility", "объект критической инфраструктуры"),
    phrase("автозаправну станцію", "a petrol station", "автозаправочную станцию"),
    phrase("будівлю навчального закладу", "an educational institution building", "здание учебного заведения"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Toll:
    """Killed and injured in one attack, as a clause ("" spec) or a headline phrase ("title")."""

    killed: int
    injured: int

    def render(self, lang: str, spec: str) -> str:
        """Return the casualty clause in `lang`."""
        k, n = self.killed, self.injured
        ki, ni = plural_index(k, lang), plural_index(n, lang)
        if lang == "en":
            hurt = f"{n} {('person', 'people')[ni]}"
            if spec == "title":
                return f"{k} killed, {n} injured" if k else f"{hurt} injured"
            if k:
                return (
                    f"{k} {('person', 'people')[ki]} {('was', 'were')[ki]} killed and {n} injured"
                )
            return f"{hurt} {('was', 'were')[ni]} injured"
        if lang == "uk":
            if spec == "title":
                wounded = f"{n} {('поранений', 'поранених', 'поранених')[ni]}"
                dead = f"{('загинула', 'загинули', 'загинули')[ki]} {k} {('людина', 'людини', 'людей')[ki]}"
                return (
                    f"{dead}, {wounded}"
                    if k
                    else f"поранено {n} {('людину', 'людини', 'людей')[ni]}"
                )
            hurt = f"{n} {('людина', 'людини', 'людей')[ni]}"
            if k:
                dead = f"{('загинула', 'загинули', 'загинули')[ki]} {k} {('людина', 'людини', 'людей')[ki]}"
                return f"{dead}, ще {hurt} {('отримала', 'отримали', 'отримали')[ni]} поранення"
            return f"{('постраждала', 'постраждали', 'постраждали')[ni]} {hurt}"
        people = ("человек", "человека", "человек")
        if spec == "title":
            wounded = f"{n} {('раненый', 'раненых', 'раненых')[ni]}"
            dead = f"{('погиб', 'погибли', 'погибли')[ki]} {k} {people[ki]}"
            return f"{dead}, {wounded}" if k else f"ранены {n} {people[ni]}"
        if k:
            dead = f"{('погиб', 'погибли', 'погибли')[ki]} {k} {people[ki]}"
            return f"{dead}, еще {n} {people[ni]} {('получил', 'получили', 'получили')[ni]} ранения"
        return f"{('пострадал', 'пострадали', 'пострадали')[ni]} {n} {people[ni]}"


def _derive_shelling(facts: Facts) -> Facts:
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
        "r_day": Day((when - timedelta(days=rng.randint(1, 6))).date()),
        "r_city": other.name,
        "r_weapon": rng.choice(WEAPONS),
        "r_houses": Num(rng.randint(3, 80)),
        "r_toll": Toll(rng.choice((0, 0, 1, 2)), rng.randint(1, 30)),
    }
    if rng.random() < 0.35:
        facts["children"] = Num(rng.randint(1, 3))
    return facts


SHELLING = StoryType(
    key="shelling",
    rubric_key="war",
    make_facts=_shelling_facts,
    derive=_derive_shelling,
    weight=3.0,
    titles=(
        ("Удар по {city:dat}: {toll:title}", "Strike on {city}: {toll:title}", "Удар по {city:dat}: {toll:title}"),
        (
            "Ворог атакував {city:acc} {weapon:ins}: {toll:title}",
            "Enemy attacks {city} with {weapon}: {toll:title}",
            "Враг атаковал {city:acc} {weapon:ins}: {toll:title}",
        ),
        (
            "Наслідки атаки на {city:acc}: {toll:title}, пошкоджено {houses:будинок|будинки|будинків}",
            "Aftermath of the attack on {city}: {toll:title}, {houses:house|houses} damaged",
            "Последствия атаки на {city:acc}: {toll:title}, {houses:~поврежден|повреждены|повреждено} {houses:дом|дома|домов}",
        ),
    ),
    leads=(
        (
            "Унаслідок атаки {weapon:gen} на {city:acc} {toll}.",
            "As a result of the attack on {city} with {weapon}, {toll}.",
            "В результате атаки {weapon:gen} на {city:acc} {toll}.",
        ),
        (
            "Російські війська {daypart} атакували {city:acc} {weapon:ins}, {toll}.",
            "Russian troops attacked {city} with {weapon} {daypart}; {toll}.",
            "Российские войска {daypart} атаковали {city:acc} {weapon:ins}, {toll}.",
        ),
        (
            "Кількість постраждалих унаслідок удару по {city:dat} зросла до {injured}.",
            "The number of people injured in the strike on {city} has risen to {injured}.",
            "Число пострадавших в результате удара по {city:dat} возросло до {injured}.",
        ),
    ),
    firsts=(
        (
            "{daypart} {city:in} пролунала серія вибухів: ворог атакував місто {weapon:ins}, {toll}. "
            "Про це {official:g:повідомив|повідомила} {official:g:начальник|начальниця} "
            "{region:ova_gen} {official}",
            "{daypart} a series of explosions rang out {city:in}: the enemy attacked the city with "
            "{weapon}, and {toll}. This was reported by the head of the {region:ova_gen} {official}",
            "{daypart} {city:in} прогремела серия взрывов: враг атаковал город {weapon:ins}, {toll}. "
            "Об этом {official:g:сообщил|сообщила} {official:g:начальник|начальница} "
            "{region:ova_gen} {official}",
        ),
        (
            "{city:in} {toll} унаслідок атаки {weapon:gen}, яку ворог здійснив {daypart}",
            "{city:in}, {toll} as a result of an attack with {weapon} carried out by the enemy {daypart}",
            "{city:in} {toll} в результате атаки {weapon:gen}, которую враг осуществил {daypart}",
        ),
        (
            "Кількість постраждалих унаслідок удару {weapon:gen} по {city:dat} зросла до {injured}",
            "The number of people injured in the strike with {weapon} on {city} has risen to {injured}",
            "Число пострадавших в результате удара {weapon:gen} по {city:dat} возросло до {injured}",
        ),
    ),
    details=(
        p(
            "За попередніми даними, зафіксовано влучання у {target}.",
            "According to preliminary data, {target} was hit.",
            "По предварительным данным, зафиксировано попадание в {target}.",
        ),
        p(
            "Пошкоджено {houses:будинок|будинки|будинків}, {cars:автомобіль|автомобілі|автомобілів} "
            "та лінії електропередачі.",
            "{houses:house|houses}, {cars:car|cars} and power lines were damaged.",
            "{houses:~Поврежден|Повреждены|Повреждено} {houses:дом|дома|домов}, "
            "{cars:автомобиль|автомобиля|автомобилей} и линии электропередачи.",
        ),
        p(
            "Серед постраждалих — {children:дитина|дитини|дітей}.",
            "{children:child|children} {children:~is|are} among the injured.",
            "Среди пострадавших — {children:ребенок|ребенка|детей}.",
            needs="children",
        ),
        p(
            "Госпіталізовано {hosp:особу|особи|осіб}, решті надали допомогу на місці.",
            "{hosp:person|people} {hosp:~was|were} hospitalized, the rest received help at the scene.",
            "{hosp:~Госпитализирован|Госпитализированы|Госпитализированы} {hosp:человек|человека|человек}, "
            "остальным оказали помощь на месте.",
        ),
        p(
            "На місці працюють рятувальники ДСНС, медики та поліція. Постраждалим надають "
            "необхідну допомогу.",
            "Rescuers of the State Emergency Service, medics and police are working at the scene. "
            "The injured are receiving the necessary assistance.",
            "На месте работают спасатели ГСЧС, медики и полиция. Пострадавшим оказывают "
            "необходимую помощь.",
        ),
        q(
            "«Ворог знову цілеспрямовано б'є по цивільній інфраструктурі {city:gen}. Усі служби "
            "працюють на місцях», — {official:g:наголосив|наголосила} {official}.",
            "“The enemy is once again deliberately striking the civilian infrastructure of {city}. "
            "All services are working at the scene,” {official} stressed.",
            "«Враг снова целенаправленно бьет по гражданской инфраструктуре {city:gen}. Все службы "
            "работают на местах», — {official:g:подчеркнул|подчеркнула} {official}.",
        ),
        p(
            "Перед цим Повітряні сили ЗСУ попереджали про загрозу {weapon:gen} для {region:gen}.",
            "Before that, the Air Force of the Armed Forces of Ukraine warned of the threat of "
            "{weapon} for {region}.",
            "Перед этим Воздушные силы ВСУ предупреждали об угрозе {weapon:gen} для {region:gen}.",
        ),
        p(
            "Повітряна тривога {region:in} тривала {alarm:годину|години|годин}.",
            "The air raid alert {region:in} lasted {alarm:hour|hours}.",
            "Воздушная тревога {region:in} длилась {alarm:час|часа|часов}.",
        ),
        p(
            "Комунальні служби вже розпочали ліквідацію наслідків удару, у пошкоджених будинках "
            "закривають вибиті вікна.",
            "Utility services have already begun to eliminate the consequences of the strike; "
            "broken windows are being covered in the damaged buildings.",
            "Коммунальные службы уже начали ликвидацию последствий удара, в поврежденных домах "
            "закрывают выбитые окна.",
        ),
    ),
    recalls=(
        (
            "{r_day} ворог атакував {r_city:acc}, тоді {r_toll}.",
            "On {r_day}, the enemy attacked {r_city}, and {r_toll}.",
            "{r_day} враг атаковал {r_city:acc}, тогда {r_toll}.",
        ),
        (
            "{r_day} {r_city:in} унаслідок удару {r_weapon:gen} було пошкоджено "
            "{r_houses:будинок|будинки|будинків}.",
            "On {r_day}, {r_houses:house|houses} {r_houses:~was|were} damaged {r_city:in} in a "
            "strike with {r_weapon}.",
            "{r_day} {r_city:in} в результате удара {r_weapon:gen} "
            "{r_houses:~был поврежден|были повреждены|были повреждены} {r_houses:дом|дома|домов}.",
        ),
    ),
    sources=(
        ("Telegram-канал {region:ova_gen}", "the Telegram channel of the {region:ova_gen}", "Telegram-канал {region:ova_gen}"),
        ("ДСНС", "the State Emergency Service", "ГСЧС"),
    ),
    tags=(("Обстріли", "Shelling", "Обстрелы"), ("{city}", "{city}", "{city}")),
    correctable=("injured", "houses"),
    sibling_keys=("city", "region", "official"),
)  # fmt: skip

STORY_TYPES: tuple[StoryType, ...] = (SHELLING,)
__all__ = ["STORY_TYPES", "Term"]
