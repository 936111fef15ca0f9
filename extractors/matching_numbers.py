"""Numbers, amounts and dates of a text as language-neutral keys, for content matching.

The same fact is written differently per edition: "12 500" / "12,500", "9,5 млрд гривень" /
"UAH 9.5 billion", "15 листопада" / "November 15" / "15 ноября". Each becomes one key
("12500", "9.5e+09", "d11.15"), so the editions of one story share their number set while
different stories of the same day rarely do.
"""

from __future__ import annotations

import re
import sys

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
# The same number patterns without their look-behind, tried only where a run of digits starts:
# one pass over the text finds the runs, and the numbers and "15 листопада" dates start there.
_CYRILLIC_START = re.compile(_CYRILLIC_NUMBER.pattern.removeprefix(r"(?<![\d.,])"))
_LATIN_START = re.compile(_LATIN_NUMBER.pattern.removeprefix(r"(?<![\d.,])"))
_DIGITS = re.compile(r"\d+")
# What `[а-яіїєґё]` and `[a-z]` match with re.IGNORECASE, counted without a regex: in cp1251
# each of those Cyrillic letters and each ASCII letter is one byte of its own, and the few
# letters the flag adds that cp1251 cannot encode are counted apart (a test checks the counts
# against the patterns on every character there is).
_CYRILLIC_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяєіїґ"
_CYRILLIC_BYTES = (_CYRILLIC_LETTERS + _CYRILLIC_LETTERS.upper()).encode("cp1251")
_CYRILLIC_OTHERS = "\u1c80\u1c81\u1c82\u1c83\u1c84\u1c85\u1c86"  # old forms of в д о с т ъ
_LATIN_BYTES = bytes(range(ord("a"), ord("z") + 1)) + bytes(range(ord("A"), ord("Z") + 1))
_LATIN_OTHERS = "\u0130\u0131\u017f\u212a"  # İ ı ſ K (Kelvin)
_NON_DIGIT = re.compile(r"[^\d]")


def _letters(text: str) -> tuple[int, int]:
    """Return how many Cyrillic and how many Latin letters `text` has."""
    encoded = text.encode("cp1251", "ignore")
    cyrillic = len(encoded) - len(encoded.translate(None, _CYRILLIC_BYTES))
    latin = len(encoded) - len(encoded.translate(None, _LATIN_BYTES))
    if len(encoded) < len(text):  # some character is not in cp1251: maybe one of the others
        cyrillic += sum(map(text.count, _CYRILLIC_OTHERS))
        latin += sum(map(text.count, _LATIN_OTHERS))
    return cyrillic, latin


def _is_cyrillic(text: str) -> bool:
    cyrillic, latin = _letters(text[:600])  # the title and lead decide
    return cyrillic >= latin


def _value(whole: str, fraction: str | None) -> float:
    digits = whole if whole.isdecimal() else _NON_DIGIT.sub("", whole)
    return float(f"{digits}.{fraction}" if fraction else digits)


def _runs(text: str) -> list[tuple[int, int]]:
    """Return where each run of digits in `text` starts and ends."""
    return [run.span() for run in _DIGITS.finditer(text)]


def _numbers(text: str, cyrillic: bool, runs: list[tuple[int, int]]) -> set[str]:
    r"""Return the keys of every number in `text`, scaled by a following "млн", "billion"...

    A number is what the pattern finds at the start of a run of digits that no "." or ","
    precedes, outside the number before it: what searching with the look-behind `(?<![\d.,])`
    finds, as the pattern matches wherever a digit is.
    """
    pattern = _CYRILLIC_START if cyrillic else _LATIN_START
    keys = set()
    at = 0
    for start, _ in runs:
        if start < at or (start and text[start - 1] in ".,"):
            continue
        match = pattern.match(text, start)
        if match is None:  # never: the pattern matches wherever a digit is
            continue
        at = match.end()
        scale = _SCALE.match(text, at)
        whole, fraction = match.group(1, 2)
        written = (whole, fraction, scale.group(1).lower() if scale else "")
        key = _KEYS.get(written)
        if key is None:
            key = _key(whole, fraction, written[2])
            if len(_KEYS) >= _KEYS_MAX:
                _KEYS.clear()
            _KEYS[written] = key
        keys.add(key)
    return keys


# The key of each number as written (digits, fraction, scale word), remembered: news repeat
# their figures, years and counts, and the float and its formatting cost more than a look-up.
_KEYS: dict[tuple[str, str | None, str], str] = {}
_KEYS_MAX = 1 << 14


def _key(whole: str, fraction: str | None, scale: str) -> str:
    """Return the key of a number: its value (times a scale word's) to six digits."""
    value = _value(whole, fraction)
    if scale:
        value *= _SCALES[scale]
    return sys.intern(f"{value:.6g}")


def _at_word_start(text: str, start: int) -> bool:
    r"""Tell whether `text[start]` begins a word (what a leading `\b` asks)."""
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")


def _dates(text: str, runs: list[tuple[int, int]]) -> set[str]:
    """Return "d<month>.<day>" for "15 листопада", "November 15", "15 ноября".

    A day before its month is a run of one or two digits at a word start (inside a run, or
    after a letter, it would not begin a word) with a space after it: only those are tried.
    """
    keys = set()
    found = []
    for start, end in runs:
        if end - start > 2 or not text[end : end + 1].isspace():
            continue
        if _at_word_start(text, start) and (match := _DAY_MONTH.match(text, start)):
            found.append((match.group(1), match.group(2)))
    found += [
        (m.group(2), m.group(1))
        for m in _MONTH_DAY.finditer(text)
        if _at_word_start(text, m.start())
    ]
    for day, word in found:
        if 1 <= int(day) <= 31:
            keys.add(sys.intern(f"d{_MONTHS[word]}.{int(day)}"))
    return keys


def number_keys(text: str) -> frozenset[str]:
    """Return the language-neutral keys of the numbers, amounts and dates in `text`."""
    runs = _runs(text)
    if not runs:
        return frozenset()  # no digit, so neither a number nor a date
    return frozenset(_numbers(text, _is_cyrillic(text), runs) | _dates(text, runs))
