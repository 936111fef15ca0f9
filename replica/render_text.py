"""Words, dates, numbers and class names the replica's pages show, per edition.

Everything here is a pure function of its arguments (and the seed), so pages are byte-identical
for the same seed and clock. Dates are shown in Kyiv time (Europe/Kyiv), as on the real site.
"""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

KYIV = ZoneInfo("Europe/Kyiv")
EDITIONS = ("uk", "en", "ru")
PREFIX = {"uk": "", "en": "/en", "ru": "/ru"}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTHS_RFC = [m[:3] for m in _MONTHS_EN]
_MONTHS_GEN = {
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}


@dataclass(frozen=True, slots=True)
class Words:
    """The fixed words of one edition's page chrome."""

    site_name: str
    dateline: str
    views: tuple[str, str, str]  # one, few (2-4), many
    exclusive: str
    popular: str
    latest: str
    photo: str
    video: str
    photo_credit: str
    footer: tuple[str, ...]
    rubrics: tuple[tuple[str, str], ...]  # (key, name) in menu order


# The rubric menu: key (URL segment) -> names in uk, en, ru.
_RUBRICS = {
    "politics": ("Політика", "Politics", "Политика"),
    "economics": ("Економіка", "Economics", "Экономика"),
    "world": ("Світ", "World", "Мир"),
    "society": ("Суспільство", "Society", "Общество"),
    "war": ("Війна", "War", "Война"),
    "health": ("Здоров'я", "Health", "Здоровье"),
    "tech": ("Технології", "Technologies", "Технологии"),
    "criminal": ("Кримінал", "Criminal", "Криминал"),
}


def _rubrics(column: int) -> tuple[tuple[str, str], ...]:
    """Return the menu's (key, name) pairs in one edition's language."""
    return tuple((key, names[column]) for key, names in _RUBRICS.items())


WORDS = {
    "uk": Words(
        site_name="УНН",
        dateline="Київ • УНН",
        views=("перегляд", "перегляди", "переглядів"),
        exclusive="Ексклюзив",
        popular="Популярні новини",
        latest="Останні новини",
        photo="Фото",
        video="Відео",
        photo_credit="Фото",
        footer=(
            "Інформаційне агентство «Українські Національні Новини»",
            "Ідентифікатор медіа R40-05926",
            "Сайт призначений для осіб, які досягли 21 року",
            "Всі права захищені. © 2007 — {year}",
        ),
        rubrics=_rubrics(0),
    ),
    "en": Words(
        site_name="UNN",
        dateline="Kyiv • UNN",
        views=("view", "views", "views"),
        exclusive="Exclusive",
        popular="Popular news",
        latest="Latest news",
        photo="Photo",
        video="Video",
        photo_credit="Photo",
        footer=(
            "Information agency «Ukrainian National News»",
            "Media identifier R40-05926",
            "The site is intended for persons who have reached the age of 21",
            "All rights reserved. © 2007 — {year}",
        ),
        rubrics=_rubrics(1),
    ),
    "ru": Words(
        site_name="УНН",
        dateline="Киев • УНН",
        views=("просмотр", "просмотра", "просмотров"),
        exclusive="Эксклюзив",
        popular="Популярные новости",
        latest="Последние новости",
        photo="Фото",
        video="Видео",
        photo_credit="Фото",
        footer=(
            "Информационное агентство «Украинские Национальные Новости»",
            "Идентификатор медиа R40-05926",
            "Сайт предназначен для лиц, достигших 21 года",
            "Все права защищены. © 2007 — {year}",
        ),
        rubrics=_rubrics(2),
    ),
}


def esc(text: str) -> str:
    """Escape text for HTML element content and attribute values."""
    return html.escape(text, quote=True)


def stable_hash(*parts: object) -> int:
    """Return a 64-bit hash of the parts that is the same on every run and machine."""
    data = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def class_hash(seed: int, name: str) -> str:
    """Return the five-character CSS-module hash of a class name in the seed's "build"."""
    digest = hashlib.blake2b(f"{seed}:{name}".encode(), digest_size=6).digest()
    text = base64.urlsafe_b64encode(digest).decode("ascii")[:5]
    # A leading "_" or "-" would blur the "__" separator; start with a letter instead.
    return text if text[0].isalnum() else "abcdefghij"[digest[5] % 10] + text[1:]


class Classes:
    """Hashed CSS-module class names (`<component>_<part>__<hash>`) for one seed."""

    def __init__(self, seed: int, build: str = "") -> None:
        self._seed = seed
        self._build = build  # another build (layout) of the same seed: other hashes
        self._cache: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        """Return the hashed class name for "component_part"."""
        found = self._cache.get(name)
        if found is None:
            found = f"{name}__{class_hash(self._seed, self._build + name)}"
            self._cache[name] = found
        return found


def kyiv(when: datetime) -> datetime:
    """Return an aware datetime in Kyiv local time."""
    return when.astimezone(KYIV)


def iso_kyiv(when: datetime) -> str:
    """Format as ISO 8601 with the Kyiv offset, e.g. 2025-02-05T10:18:00+02:00."""
    return kyiv(when).isoformat(timespec="seconds")


def rfc822_kyiv(when: datetime) -> str:
    """Format as an RFC 822 date with the Kyiv offset, e.g. Wed, 05 Feb 2025 10:18:00 +0200."""
    k = kyiv(when)
    day = _WEEKDAYS[k.weekday()]
    return f"{day}, {k.day:02d} {_MONTHS_RFC[k.month - 1]} {k.year} {k:%H:%M:%S %z}"


def clock_text(edition: str, when: datetime) -> str:
    """Format a time of day the edition's way: 10:18 (uk, ru) or 10:18 AM (en)."""
    k = kyiv(when)
    if edition == "en":
        hour = k.hour % 12 or 12
        return f"{hour}:{k.minute:02d} {'AM' if k.hour < 12 else 'PM'}"
    return f"{k.hour:02d}:{k.minute:02d}"


def date_text(edition: str, when: datetime) -> str:
    """Format a date and time the edition's way: 5 лютого, 10:18 / February 5, 10:18 AM."""
    k = kyiv(when)
    if edition == "en":
        return f"{_MONTHS_EN[k.month - 1]} {k.day}, {clock_text(edition, when)}"
    month = _MONTHS_GEN[edition].split()[k.month - 1]
    return f"{k.day} {month}, {clock_text(edition, when)}"


def card_time_text(edition: str, when: datetime, now: datetime) -> str:
    """Format a widget time: the time only for today's items, else the date and time."""
    if kyiv(when).date() == kyiv(now).date():
        return clock_text(edition, when)
    return date_text(edition, when)


def related_time_text(when: datetime) -> str:
    """Format an inline related link's time: 26.09.24, 19:28."""
    return f"{kyiv(when):%d.%m.%y, %H:%M}"


def listing_time_text(when: datetime) -> str:
    """Format a listing item's time: 05.02.2025, 10:18."""
    return f"{kyiv(when):%d.%m.%Y, %H:%M}"


def views_text(edition: str, count: int) -> str:
    """Return "• N views" with the edition's plural form of the word."""
    one, few, many = WORDS[edition].views
    if edition == "en":
        word = one if count == 1 else many
    elif count % 10 == 1 and count % 100 != 11:
        word = one
    elif 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        word = few
    else:
        word = many
    return f"• {count} {word}"


def view_count(seed: int, key: str, visible_from: datetime, now: datetime) -> int:
    """Return a view count that is deterministic and grows as the clock moves on."""
    minutes = max(0.0, (now - visible_from).total_seconds() / 60)
    ceiling = 300 + stable_hash(seed, "views", key) % 4000
    return 1 + int(ceiling * (1 - 2 ** (-minutes / 240))) + int(minutes // 30)


def currency_text(seed: int, when: datetime) -> tuple[str, str]:
    """Return the day's USD and EUR boxes, e.g. ("$43.17 +0.05", "€45.02 -0.11")."""
    day = kyiv(when).date().isoformat()
    boxes = []
    for sign, base in (("$", 4100), ("€", 4800)):
        h = stable_hash(seed, "fx", sign, day)
        rate = (base + h % 300) / 100
        change = (h >> 20) % 31 - 15
        boxes.append(f"{sign}{rate:.2f} {'+' if change >= 0 else '-'}{abs(change) / 100:.2f}")
    return boxes[0], boxes[1]
