"""Language-aware slot values for the story generator: numbers, money, dates, terms, people.

A template is one `str.format` pattern per language; each slot value is bound to a language and
renders itself from the format spec, so one set of facts fills the uk, en and ru templates with
correctly inflected words. Specs understood:

- `Num`: `{n}` the number; `{n:людина|людини|людей}` number plus the plural noun (uk/ru take
  one|few|many, en one|many); `{n:~загинула|загинули|загинули}` the word alone, agreeing;
  `{n:ord}` "24-й" / "24th".
- `Money`: `{m}` amount with its unit in the language's usual order.
- `Day`: `{d}` "15 листопада" / "November 15" / "15 ноября".
- `Term`: `{t}` or `{t:<case>}` one of the forms the term was given.
- `Person`: `{p}` full name, `{p:sur}` surname, `{p:g:<masc>|<fem>}` a gender-agreeing word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

LANGS = ("uk", "en", "ru")

_MONTHS = {
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "en": "January February March April May June July August September October November December",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}
MONTHS = {lang: tuple(names.split()) for lang, names in _MONTHS.items()}


class Slot(Protocol):
    """A fact that can render itself in a language for a format spec."""

    def render(self, lang: str, spec: str) -> str:
        """Return the text of this fact in `lang` for the format `spec`."""
        ...


class Bound:
    """A slot bound to one language, so that `str.format` can render it."""

    __slots__ = ("lang", "slot")

    def __init__(self, slot: Slot, lang: str) -> None:
        self.slot = slot
        self.lang = lang

    def __format__(self, spec: str) -> str:
        return self.slot.render(self.lang, spec)


def plural_index(n: int, lang: str) -> int:
    """Return the plural class of `n`: uk/ru 0 one, 1 few, 2 many; en 0 one, 1 many."""
    if lang == "en":
        return 0 if n == 1 else 1
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """Format a number as each edition writes it: "12 500" / "12,500", "41,32" / "41.32"."""
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    # uk/ru: a space between thousands (only from five digits on), a decimal comma.
    whole, _, frac = text.partition(".")
    if len(whole.replace(",", "")) <= 4:
        whole = whole.replace(",", "")
    whole = whole.replace(",", " ")
    return f"{whole},{frac}" if frac else whole


@dataclass(frozen=True, slots=True)
class Num:
    """A count or quantity (`decimals` > 0 for rates and temperatures)."""

    value: float
    decimals: int = 0

    def render(self, lang: str, spec: str) -> str:
        """Return the number, the number with its noun, or the agreeing word alone."""
        number = format_number(self.value, lang, self.decimals)
        if not spec:
            return number
        if spec == "ord":
            return _ordinal(int(self.value), lang)
        word_only = spec.startswith("~")
        forms = spec.lstrip("~").split("|")
        index = plural_index(int(self.value), lang) if self.decimals == 0 else len(forms) - 1
        word = forms[min(index, len(forms) - 1)]
        return word if word_only else f"{number} {word}"


def _ordinal(n: int, lang: str) -> str:
    """Return "24th" in en and "24-й" in uk and ru (the masculine form news headlines use)."""
    if lang != "en":
        return f"{n}-й"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_MONEY = {
    "uah": ("{} грн", "UAH {}", "{} грн"),
    "uah_mln": ("{} млн грн", "UAH {} million", "{} млн грн"),
    "uah_bn": ("{} млрд грн", "UAH {} billion", "{} млрд грн"),
    "usd": ("{} доларів", "${}", "{} долларов"),
    "usd_k": ("{} тис. доларів", "${} thousand", "{} тыс. долларов"),
    "usd_mln": ("{} млн доларів", "${} million", "{} млн долларов"),
    "usd_bn": ("{} млрд доларів", "${} billion", "{} млрд долларов"),
    "eur_mln": ("{} млн євро", "EUR {} million", "{} млн евро"),
    "eur_bn": ("{} млрд євро", "EUR {} billion", "{} млрд евро"),
}


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money in one of the units of `_MONEY` (e.g. "uah_mln")."""

    amount: float
    unit: str
    decimals: int = 0

    def render(self, lang: str, spec: str) -> str:
        """Return the amount with its currency in the edition's usual order."""
        pattern = _MONEY[self.unit][LANGS.index(lang)]
        decimals = 0 if self.amount == int(self.amount) else self.decimals  # "3 млн", not "3,0"
        return pattern.format(format_number(self.amount, lang, decimals))


@dataclass(frozen=True, slots=True)
class Day:
    """A calendar date, written without the year as news items do."""

    day: date

    def render(self, lang: str, spec: str) -> str:
        """Return "15 листопада" / "November 15" / "15 ноября"."""
        month = MONTHS[lang][self.day.month - 1]
        return f"{month} {self.day.day}" if lang == "en" else f"{self.day.day} {month}"


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase with named forms per language (cases, with or without preposition)."""

    specs: tuple[str, ...]  # the form names, "" first (nominative)
    forms: tuple[tuple[str, ...], ...]  # per language (uk, en, ru): one form per spec

    def render(self, lang: str, spec: str) -> str:
        """Return the form named `spec` ("" is the base form)."""
        forms = self.forms[LANGS.index(lang)]
        index = self.specs.index(spec)
        return forms[min(index, len(forms) - 1)]


def term(specs: str, uk: str, en: str, ru: str) -> Term:
    """Make a Term from "|"-separated forms; en may give fewer forms (the last one repeats)."""
    names = tuple(specs.split("|"))
    return Term(names, tuple(tuple(text.split("|")) for text in (uk, en, ru)))


def phrase(uk: str, en: str, ru: str) -> Term:
    """Make a Term with one form per language."""
    return Term(("",), ((uk,), (en,), (ru,)))


@dataclass(frozen=True, slots=True)
class Person:
    """A named person, the name written in each edition's script."""

    names: tuple[str, str, str]  # "Ігор Коваленко", "Ihor Kovalenko", "Игорь Коваленко"
    female: bool

    def render(self, lang: str, spec: str) -> str:
        """Return the full name, the surname, or a word agreeing with the person's gender."""
        name = self.names[LANGS.index(lang)]
        if not spec:
            return name
        if spec == "sur":
            return name.split(" ", 1)[1]
        masc, fem = spec.removeprefix("g:").split("|")
        return fem if self.female else masc


def bind(facts: dict[str, Slot], lang: str) -> dict[str, Bound]:
    """Bind every fact to `lang`, ready for `pattern.format_map`."""
    return {key: Bound(value, lang) for key, value in facts.items()}
