"""The generator's world: places, countries and people in three languages, fixed per seed.

Place names carry the case forms the templates need (`{city:in}` gives "у Харкові" /
"in Kharkiv" / "в Харькове"). A `World` gives each region its head of administration and each
rubric its authors, so that stories of one region name the same official, as real news does.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from unn_ingest.replica.generator_lang import Person, Term, term

# uk stem, en name, ru stem, uk "на ...щині", ru "на ...щине"
_REGIONS = {
    "kharkiv": ("Харківськ", "Kharkiv", "Харьковск", "на Харківщині", "на Харьковщине"),
    "kyiv": ("Київськ", "Kyiv", "Киевск", "на Київщині", "на Киевщине"),
    "odesa": ("Одеськ", "Odesa", "Одесск", "на Одещині", "на Одесчине"),
    "dnipro": (
        "Дніпропетровськ",
        "Dnipropetrovsk",
        "Днепропетровск",
        "на Дніпропетровщині",
        "на Днепропетровщине",
    ),
    "zaporizhzhia": ("Запорізьк", "Zaporizhzhia", "Запорожск", "на Запоріжжі", "на Запорожье"),
    "kherson": ("Херсонськ", "Kherson", "Херсонск", "на Херсонщині", "на Херсонщине"),
    "mykolaiv": ("Миколаївськ", "Mykolaiv", "Николаевск", "на Миколаївщині", "на Николаевщине"),
    "sumy": ("Сумськ", "Sumy", "Сумск", "на Сумщині", "на Сумщине"),
    "chernihiv": ("Чернігівськ", "Chernihiv", "Черниговск", "на Чернігівщині", "на Черниговщине"),
    "lviv": ("Львівськ", "Lviv", "Львовск", "на Львівщині", "на Львовщине"),
    "poltava": ("Полтавськ", "Poltava", "Полтавск", "на Полтавщині", "на Полтавщине"),
    "zhytomyr": ("Житомирськ", "Zhytomyr", "Житомирск", "на Житомирщині", "на Житомирщине"),
    "vinnytsia": ("Вінницьк", "Vinnytsia", "Винницк", "на Вінниччині", "на Винничине"),
    "cherkasy": ("Черкаськ", "Cherkasy", "Черкасск", "на Черкащині", "на Черкасчине"),
    "donetsk": ("Донецьк", "Donetsk", "Донецк", "на Донеччині", "на Донетчине"),
    "rivne": ("Рівненськ", "Rivne", "Ровенск", "на Рівненщині", "на Ровенщине"),
}

# region, uk "nom|gen|dat|in", en name, ru "nom|gen|dat|in"
_CITIES = (
    ("kyiv", "Київ|Києва|Києву|у Києві", "Kyiv", "Киев|Киева|Киеву|в Киеве"),
    (
        "kharkiv",
        "Харків|Харкова|Харкову|у Харкові",
        "Kharkiv",
        "Харьков|Харькова|Харькову|в Харькове",
    ),
    ("odesa", "Одеса|Одеси|Одесі|в Одесі", "Odesa", "Одесса|Одессы|Одессе|в Одессе"),
    ("dnipro", "Дніпро|Дніпра|Дніпру|у Дніпрі", "Dnipro", "Днепр|Днепра|Днепру|в Днепре"),
    (
        "zaporizhzhia",
        "Запоріжжя|Запоріжжя|Запоріжжю|у Запоріжжі",
        "Zaporizhzhia",
        "Запорожье|Запорожья|Запорожью|в Запорожье",
    ),
    ("kherson", "Херсон|Херсона|Херсону|у Херсоні", "Kherson", "Херсон|Херсона|Херсону|в Херсоне"),
    (
        "mykolaiv",
        "Миколаїв|Миколаєва|Миколаєву|у Миколаєві",
        "Mykolaiv",
        "Николаев|Николаева|Николаеву|в Николаеве",
    ),
    ("sumy", "Суми|Сум|Сумам|у Сумах", "Sumy", "Сумы|Сум|Сумам|в Сумах"),
    (
        "chernihiv",
        "Чернігів|Чернігова|Чернігову|у Чернігові",
        "Chernihiv",
        "Чернигов|Чернигова|Чернигову|в Чернигове",
    ),
    ("lviv", "Львів|Львова|Львову|у Львові", "Lviv", "Львов|Львова|Львову|во Львове"),
    (
        "poltava",
        "Полтава|Полтави|Полтаві|у Полтаві",
        "Poltava",
        "Полтава|Полтавы|Полтаве|в Полтаве",
    ),
    (
        "dnipro",
        "Кривий Ріг|Кривого Рогу|Кривому Рогу|у Кривому Розі",
        "Kryvyi Rih",
        "Кривой Рог|Кривого Рога|Кривому Рогу|в Кривом Роге",
    ),
    (
        "zhytomyr",
        "Житомир|Житомира|Житомиру|у Житомирі",
        "Zhytomyr",
        "Житомир|Житомира|Житомиру|в Житомире",
    ),
    (
        "vinnytsia",
        "Вінниця|Вінниці|Вінниці|у Вінниці",
        "Vinnytsia",
        "Винница|Винницы|Виннице|в Виннице",
    ),
    (
        "cherkasy",
        "Черкаси|Черкас|Черкасам|у Черкасах",
        "Cherkasy",
        "Черкассы|Черкасс|Черкассам|в Черкассах",
    ),
    (
        "donetsk",
        "Краматорськ|Краматорська|Краматорську|у Краматорську",
        "Kramatorsk",
        "Краматорск|Краматорска|Краматорску|в Краматорске",
    ),
    (
        "donetsk",
        "Слов'янськ|Слов'янська|Слов'янську|у Слов'янську",
        "Sloviansk",
        "Славянск|Славянска|Славянску|в Славянске",
    ),
    (
        "poltava",
        "Кременчук|Кременчука|Кременчуку|у Кременчуці",
        "Kremenchuk",
        "Кременчуг|Кременчуга|Кременчугу|в Кременчуге",
    ),
    (
        "dnipro",
        "Нікополь|Нікополя|Нікополю|у Нікополі",
        "Nikopol",
        "Никополь|Никополя|Никополю|в Никополе",
    ),
    ("rivne", "Рівне|Рівного|Рівному|у Рівному", "Rivne", "Ровно|Ровно|Ровно|в Ровно"),
)

# uk "nom|gen|in", en name, ru "nom|gen|in", minister (uk, en, ru), minister is female
_COUNTRIES = (
    ("Німеччина|Німеччини|у Німеччині", "Germany", "Германия|Германии|в Германии",
     ("Клаус Вебер", "Klaus Weber", "Клаус Вебер"), False),
    ("Норвегія|Норвегії|у Норвегії", "Norway", "Норвегия|Норвегии|в Норвегии",
     ("Ларс Гауген", "Lars Haugen", "Ларс Хауген"), False),
    ("Японія|Японії|в Японії", "Japan", "Япония|Японии|в Японии",
     ("Кендзі Танака", "Kenji Tanaka", "Кэндзи Танака"), False),
    ("Канада|Канади|у Канаді", "Canada", "Канада|Канады|в Канаде",
     ("Емілі Трамбле", "Emily Tremblay", "Эмили Трамбле"), True),
    ("Нідерланди|Нідерландів|у Нідерландах", "the Netherlands",
     "Нидерланды|Нидерландов|в Нидерландах",
     ("Пітер де Фріс", "Pieter de Vries", "Питер де Врис"), False),
    ("Швеція|Швеції|у Швеції", "Sweden", "Швеция|Швеции|в Швеции",
     ("Анна Ліндквіст", "Anna Lindqvist", "Анна Линдквист"), True),
    ("Данія|Данії|у Данії", "Denmark", "Дания|Дании|в Дании",
     ("Метте Єнсен", "Mette Jensen", "Метте Йенсен"), True),
    ("Фінляндія|Фінляндії|у Фінляндії", "Finland", "Финляндия|Финляндии|в Финляндии",
     ("Мікко Віртанен", "Mikko Virtanen", "Микко Виртанен"), False),
    ("Франція|Франції|у Франції", "France", "Франция|Франции|во Франции",
     ("Клер Дюбуа", "Claire Dubois", "Клер Дюбуа"), True),
    ("Польща|Польщі|у Польщі", "Poland", "Польша|Польши|в Польше",
     ("Томаш Новак", "Tomasz Nowak", "Томаш Новак"), False),
    ("Литва|Литви|у Литві", "Lithuania", "Литва|Литвы|в Литве",
     ("Габрієлюс Казлаускас", "Gabrielius Kazlauskas", "Габриэлюс Казлаускас"), False),
    ("Чехія|Чехії|у Чехії", "the Czech Republic", "Чехия|Чехии|в Чехии",
     ("Петр Дворжак", "Petr Dvořák", "Петр Дворжак"), False),
    ("Італія|Італії|в Італії", "Italy", "Италия|Италии|в Италии",
     ("Марко Россі", "Marco Rossi", "Марко Росси"), False),
    ("Велика Британія|Великої Британії|у Великій Британії", "the United Kingdom",
     "Великобритания|Великобритании|в Великобритании",
     ("Джеймс Вітфілд", "James Whitfield", "Джеймс Уитфилд"), False),
    ("Естонія|Естонії|в Естонії", "Estonia", "Эстония|Эстонии|в Эстонии",
     ("Крістьян Тамм", "Kristjan Tamm", "Кристьян Тамм"), False),
)  # fmt: skip

_MALE = (
    "Олександр Oleksandr Александр|Андрій Andrii Андрей|Сергій Serhii Сергей|"
    "Віталій Vitalii Виталий|Олег Oleh Олег|Іван Ivan Иван|Дмитро Dmytro Дмитрий|"
    "Юрій Yurii Юрий|Микола Mykola Николай|Петро Petro Петр|Віктор Viktor Виктор|"
    "Ігор Ihor Игорь|Роман Roman Роман|Максим Maksym Максим|Василь Vasyl Василий|"
    "Тарас Taras Тарас|Богдан Bohdan Богдан|Володимир Volodymyr Владимир|Павло Pavlo Павел|"
    "Євген Yevhen Евгений|Артем Artem Артем|Григорій Hryhorii Григорий"
)
_FEMALE = (
    "Олена Olena Елена|Ірина Iryna Ирина|Наталія Nataliia Наталья|Тетяна Tetiana Татьяна|"
    "Юлія Yuliia Юлия|Оксана Oksana Оксана|Марія Mariia Мария|Світлана Svitlana Светлана|"
    "Людмила Liudmyla Людмила|Ганна Hanna Анна|Катерина Kateryna Екатерина|"
    "Вікторія Viktoriia Виктория|Інна Inna Инна|Лариса Larysa Лариса"
)
# Surnames that do not change with gender in either language.
_SURNAMES = (
    "Коваленко Kovalenko Коваленко|Бондаренко Bondarenko Бондаренко|Ткаченко Tkachenko Ткаченко|"
    "Кравченко Kravchenko Кравченко|Мельник Melnyk Мельник|Шевчук Shevchuk Шевчук|"
    "Поліщук Polishchuk Полищук|Лисенко Lysenko Лысенко|Марченко Marchenko Марченко|"
    "Руденко Rudenko Руденко|Савченко Savchenko Савченко|Петренко Petrenko Петренко|"
    "Олійник Oliinyk Олейник|Гончаренко Honcharenko Гончаренко|Романюк Romaniuk Романюк|"
    "Мороз Moroz Мороз|Кушнір Kushnir Кушнир|Левченко Levchenko Левченко|Білик Bilyk Билык|"
    "Карпенко Karpenko Карпенко|Ярошенко Yaroshenko Ярошенко|Дорошенко Doroshenko Дорошенко|"
    "Гаврилюк Havryliuk Гаврилюк|Остапчук Ostapchuk Остапчук|Павленко Pavlenko Павленко|"
    "Кузьменко Kuzmenko Кузьменко|Зінченко Zinchenko Зинченко|Приходько Prykhodko Приходько|"
    "Климчук Klymchuk Климчук|Даниленко Danylenko Даниленко|Сидоренко Sydorenko Сидоренко|"
    "Юрченко Yurchenko Юрченко|Захарченко Zakharchenko Захарченко|Ігнатенко Ihnatenko Игнатенко|"
    "Власенко Vlasenko Власенко|Нестеренко Nesterenko Нестеренко|Щербак Shcherbak Щербак|"
    "Гуменюк Humeniuk Гуменюк|Ковальчук Kovalchuk Ковальчук|Литвиненко Lytvynenko Литвиненко"
)


def _triples(text: str) -> tuple[tuple[str, str, str], ...]:
    out = []
    for item in text.split("|"):
        uk, en, ru = item.split(" ")
        out.append((uk, en, ru))
    return tuple(out)


MALE, FEMALE, SURNAMES = _triples(_MALE), _triples(_FEMALE), _triples(_SURNAMES)
RUBRIC_KEYS = ("politics", "economics", "world", "society", "war", "health", "tech", "criminal")


def _uk_in(word: str) -> str:
    """Return the uk locative preposition for `word`: "в" before a vowel, else "у"."""
    return "в" if word[:1].lower() in "аеєиіїоуюя" else "у"


def _region(stem_uk: str, name_en: str, stem_ru: str, na_uk: str, na_ru: str) -> Term:
    uk = (
        f"{stem_uk}а область|{stem_uk}ої області|{_uk_in(stem_uk)} {stem_uk}ій області|{na_uk}|"
        f"{stem_uk}а ОВА|{stem_uk}ої ОВА"
    )
    en = (
        f"{name_en} region|{name_en} region|in {name_en} region|in {name_en} region|"
        f"{name_en} Regional Military Administration|{name_en} Regional Military Administration"
    )
    ru = (
        f"{stem_ru}ая область|{stem_ru}ой области|в {stem_ru}ой области|{na_ru}|"
        f"{stem_ru}ая ОВА|{stem_ru}ой ОВА"
    )
    return term("|gen|in|na|ova|ova_gen", uk, en, ru)


REGIONS: dict[str, Term] = {key: _region(*forms) for key, forms in _REGIONS.items()}


@dataclass(frozen=True, slots=True)
class City:
    """A city with its case forms and its region's key."""

    key: str
    region: str
    name: Term


def _with_acc(forms: str) -> str:
    """Append the accusative: feminine -а/-я nouns change, the others equal the nominative."""
    nom = forms.split("|", 1)[0]
    if nom.endswith("а"):
        return f"{forms}|{nom[:-1]}у"
    if nom.endswith("ия") or nom.endswith("ця"):
        return f"{forms}|{nom[:-1]}ю"
    return f"{forms}|{nom}"


CITIES: tuple[City, ...] = tuple(
    City(
        en.lower().replace(" ", "-"),
        region,
        term("|gen|dat|in|acc", _with_acc(uk), f"{en}|{en}|{en}|in {en}|{en}", _with_acc(ru)),
    )
    for region, uk, en, ru in _CITIES
)


@dataclass(frozen=True, slots=True)
class Country:
    """A partner country with its case forms and its (fictional) minister."""

    name: Term
    minister: Person


COUNTRIES: tuple[Country, ...] = tuple(
    Country(term("|gen|in", uk, f"{en}|{en}|in {en}", ru), Person(names, female))
    for uk, en, ru, names, female in _COUNTRIES
)


def random_person(rng: Random, female_share: float = 0.3) -> Person:
    """Draw a person with a name in each script."""
    female = rng.random() < female_share
    first = rng.choice(FEMALE if female else MALE)
    last = rng.choice(SURNAMES)
    names = (f"{first[0]} {last[0]}", f"{first[1]} {last[1]}", f"{first[2]} {last[2]}")
    return Person(names, female)


@dataclass(frozen=True, slots=True)
class World:
    """The seed's fixed cast: regional heads, city mayors, ministers and rubric authors."""

    region_heads: dict[str, Person]
    mayors: dict[str, Person]
    officials: dict[str, Person]  # by role: "energy_minister", "health_minister", ...
    authors: dict[str, tuple[Person, ...]]  # by rubric key


_ROLES = (
    "prime_minister",
    "energy_minister",
    "health_minister",
    "digital_minister",
    "culture_minister",
    "ombudsman",
    "ukrenergo_head",
    "nbu_governor",
    "police_head",
    "weather_head",
)


def build_world(seed: int) -> World:
    """Draw the seed's cast of officials and authors."""
    rng = Random(f"world-{seed}")
    return World(
        region_heads={key: random_person(rng, 0.15) for key in REGIONS},
        mayors={city.key: random_person(rng, 0.15) for city in CITIES},
        officials={role: random_person(rng, 0.3) for role in _ROLES},
        authors={key: tuple(random_person(rng, 0.5) for _ in range(3)) for key in RUBRIC_KEYS},
    )
