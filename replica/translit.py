"""Turn headlines into URL slugs the way unn.ua does, one transliteration per edition.

uk follows the Ukrainian national transliteration (Cabinet of Ministers resolution 55 of 2010):
є/ї/й/ю/я take a "y" form at the start of a word and an "i" form elsewhere, "зг" becomes
"zgh", the soft sign and the apostrophe vanish. ru follows the loose scheme seen in the site's
Russian slugs ("dlya", "ukraini": ы and и both give "i"). en is lower-cased as it stands.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["slugify", "to_latin"]

_UK = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia",
}  # fmt: skip
# The national standard spells these differently at the start of a word.
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Ukrainian letters inside a Russian headline (place names) keep a Ukrainian reading.
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}  # fmt: skip

_APOSTROPHES = "'’ʼ`´"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in _APOSTROPHES


def _latin_letter(text: str, i: int, lang: str) -> str | None:
    """Return the Latin spelling of the Cyrillic letter at `i`, or None if it is not one."""
    low = text[i].lower()
    if lang == "ru":
        return _RU.get(low)
    if low not in _UK:
        return None
    word_start = i == 0 or not _is_word_char(text[i - 1])
    if word_start and low in _UK_INITIAL:
        return _UK_INITIAL[low]
    if low == "г" and i > 0 and text[i - 1].lower() == "з":
        return "gh"  # "зг" is "zgh", so that it never reads as "ж"
    return _UK[low]


def _match_case(latin: str, text: str, i: int) -> str:
    """Return `latin` in the case of the letter at `i` (all caps inside an acronym)."""
    if not text[i].isupper() or not latin:
        return latin
    neighbours = text[i - 1 : i] + text[i + 1 : i + 2]
    if any(ch.isalpha() and ch.isupper() for ch in neighbours):
        return latin.upper()
    return latin.capitalize()


def to_latin(text: str, lang: str) -> str:
    """Transliterate the Cyrillic letters of `text` for `lang` ("uk" or "ru"), keeping the rest."""
    if lang not in ("uk", "ru"):
        return text
    out: list[str] = []
    for i, ch in enumerate(text):
        latin = _latin_letter(text, i, lang)
        out.append(ch if latin is None else _match_case(latin, text, i))
    return "".join(out)


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(title: str, edition: str) -> str:
    """Make the URL slug of an `edition` ("uk", "en", "ru") headline, as unn.ua does."""
    text = title.replace("%", " percent ") if edition == "en" else title
    text = to_latin(text, edition)
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    text = _strip_accents(text).lower()
    return _NON_ALNUM.sub("-", text).strip("-")
