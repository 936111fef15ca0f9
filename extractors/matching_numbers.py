"""Numbers, amounts and dates of a text as language-neutral keys, for content matching.

The same fact is written differently per edition: "12 500" / "12,500", "9,5 млрд гривень" /
"UAH 9.5 billion", "15 листопада" / "November 15" / "15 ноября". Each becomes one key
("12500", "9.5e+09", "d11.15"), so the editions of one story share their number set while
different stories of the same day rarely do.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

__all__ = ["number_keys"]

# Cyrillic texts write "12 500" and "41,32"; Latin ones "12,500" and "41.32". The script of
# the text decides, not the edition: a mislabelled page keeps its own conventions.
_CYRILLIC_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,(\d+))?")
_LATIN_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_SCALE = re.compile(
    r"\s*(тис|тыс|thousand|млн|мільйон|миллион|million|mln|млрд|мільярд|миллиард|billion|bn"
    r"|трлн|трильйон|триллион|trillion)",
    re.IGNORECASE,
)
_SCALES = {
    "тис": 1e3, "тыс": 1e3, "thousand": 1e3,
    "млн": 1e6, "мільйон": 1e6, "миллион": 1e6, "million": 1e6, "mln": 1e6,
    "млрд": 1e9, "мільярд": 1e9, "миллиард": 1e9, "billion": 1e9, "bn": 1e9,
    "трлн": 1e12, "трильйон": 1e12, "триллион": 1e12, "trillion": 1e12,
}  # fmt: skip
# A day of the month takes the genitive in uk and ru ("15 листопада"), so exact forms suffice
# and no other word ("5 червоних") can pass for a month.
_MONTH_NAMES = (
    "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "January February March April May June July August September October November December",
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
)
_MONTHS = {name: n % 12 + 1 for n, name in enumerate(" ".join(_MONTH_NAMES).split())}
# The word boundary before a date is checked by `_at_word_start`, not by a leading `\b`: a
# pattern that starts with a digit or a letter lets the regex engine skip ahead to it.
_DAY_MONTH = re.compile(
    rf"(\d{{1,2}})\s+({'|'.join(_MONTH_NAMES[0].split() + _MONTH_NAMES[1].split())})\b"
)
_MONTH_DAY = re.compile(
    rf"({'|'.join(_MONTH_NAMES[2].split() + _MONTH_NAMES[3].split())})\.?\s+(\d{{1,2}})\b"
)
# The same number patterns without their look-behind, which stops the regex engine from
# skipping ahead to the next digit: `_after_no_digit` checks what precedes a match instead.
_CYRILLIC_START = re.compile(_CYRILLIC_NUMBER.pattern.removeprefix(r"(?<![\d.,])"))
_LATIN_START = re.compile(_LATIN_NUMBER.pattern.removeprefix(r"(?<![\d.,])"))
_CYRILLIC = re.compile(r"[а-яіїєґё]+", re.IGNORECASE)  # runs of letters: fewer matches to count
_LATIN = re.compile(r"[a-z]+", re.IGNORECASE)
_NON_DIGIT = re.compile(r"[^\d]")


def _is_cyrillic(text: str) -> bool:
    sample = text[:600]  # the title and lead decide; counting a whole body costs time
    return sum(map(len, _CYRILLIC.findall(sample))) >= sum(map(len, _LATIN.findall(sample)))


def _value(whole: str, fraction: str | None) -> float:
    digits = whole if whole.isdecimal() else _NON_DIGIT.sub("", whole)
    return float(f"{digits}.{fraction}" if fraction else digits)


def _after_no_digit(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    r"""Yield what `pattern` finds in `text` where no digit, "." or "," precedes the match: the
    matches of the pattern with the look-behind `(?<![\d.,])` before it, found faster."""
    at = 0
    while (match := pattern.search(text, at)) is not None:
        start = match.start()
        if start and (text[start - 1].isdecimal() or text[start - 1] in ".,"):
            at = start + 1  # where the look-behind pattern would try next
            continue
        yield match
        at = match.end()


def _at_word_start(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    r"""Yield the matches of `pattern` in `text` that begin a word (what a leading `\b` asks)."""
    for match in pattern.finditer(text):
        start = match.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):
            yield match


def _numbers(text: str, cyrillic: bool) -> set[str]:
    """Return the keys of every number in `text`, scaled by a following "млн", "billion"..."""
    pattern = _CYRILLIC_START if cyrillic else _LATIN_START
    keys = set()
    for match in _after_no_digit(pattern, text):
        value = _value(match.group(1), match.group(2))
        scale = _SCALE.match(text, match.end())
        if scale:
            value *= _SCALES[scale.group(1).lower()]
        keys.add(sys.intern(f"{value:.6g}"))
    return keys


def _dates(text: str) -> set[str]:
    """Return "d<month>.<day>" for "15 листопада", "November 15", "15 ноября"."""
    keys = set()
    found = [(m.group(1), m.group(2)) for m in _at_word_start(_DAY_MONTH, text)]
    found += [(m.group(2), m.group(1)) for m in _at_word_start(_MONTH_DAY, text)]
    for day, word in found:
        if 1 <= int(day) <= 31:
            keys.add(sys.intern(f"d{_MONTHS[word]}.{int(day)}"))
    return keys


def number_keys(text: str) -> frozenset[str]:
    """Return the language-neutral keys of the numbers, amounts and dates in `text`."""
    return frozenset(_numbers(text, _is_cyrillic(text)) | _dates(text))
