"""What content matching compares: language-neutral features of one article.

Every edition is reduced to the same alphabet so that uk, ru and en can be compared: Cyrillic
is transliterated to Latin with one compact table (uk and ru readings merged, so "Київ",
"Киев" and "Kyiv" meet), and spelling variants that transliteration produces are folded
("y"/"j" → "i", "g" → "h", "kh" → "h"). From that text come:

- numbers, dates and amounts normalised across languages ("1,5 млрд" / "1.5 billion" → 1.5e9,
  "15 листопада" / "November 15" → d11.15);
- name keys: consonant skeletons of capitalised words inside sentences, which survive case
  endings ("Зеленського" / "Zelensky" → "zlns");
- the character trigrams of the folded text as a 4096-bit set (a Python int), so that a
  Jaccard estimate costs two bitwise operations and two popcounts;
- word stems: the first four letters of every folded word of five letters or more, as a
  1024-bit set. Between English and transliterated Cyrillic, trigrams of whole texts tell a
  translation from another story of the same topic badly (real NTREX text: median Jaccard
  0.28 vs 0.26), stems well (0.060 vs 0.011): names, cognates and numbers-as-words
  ("parlament", "referendum", "ministr") keep their first letters in every language;
- the lead image's file name and the text length.

Attribution lines ("передає УНН") and subheads ("Деталі") are removed first: every article has
them, so they would only make different stories look alike.
"""

from __future__ import annotations

import re
import sys
import unicodedata
import zlib
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

import numpy as np

from unn_ingest.extractors.matching_numbers import number_keys
from unn_ingest.extractors.profile import Furniture
from unn_ingest.extractors.records import ArticleFeatures

__all__ = [
    "ArticleFeatures",
    "Furniture",
    "article_features",
    "fold",
    "image_key",
    "stem_sketch",
]

SKETCH_BITS = 4096  # 512 bytes an article; ~1,500 trigrams fill about a third
STEM_BITS = 1024  # 128 bytes an article; ~150-300 stems, few collisions
STEM_LETTERS = 4
STEM_WORDS_FROM = 5  # letters: shorter words give no stem

_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "ё": "e", "ъ": "", "ы": "i", "э": "e", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
_TRANSLIT = str.maketrans({**_CYR, **{k.upper(): v.capitalize() for k, v in _CYR.items()}})
_FOLD = (("kh", "h"), ("y", "i"), ("j", "i"), ("g", "h"), ("w", "v"), ("ph", "f"), ("q", "k"))
_VOWELS = str.maketrans("", "", "aeiou")
_NON_LETTER = re.compile(r"[^a-z]+")
_CAPITALISED = re.compile(r"(?<![\w.-])([A-Z][A-Za-z]+|[A-Z]{2,})")
# What `_CAPITALISED` finds, the look-behind moved after the capital: a pattern that starts with
# a letter class lets the regex engine skip to the next capital instead of trying every
# position. (Its second branch never matches where the first fails: both need a letter after
# the capital.)
_CAPITAL_FIRST = re.compile(r"([A-Z](?<![\w.-][A-Z])[A-Za-z]+)")
_SPACE_BUT_LETTERS = bytes(b if ord("a") <= b <= ord("z") else ord(" ") for b in range(256))
# English spellings of names against their Cyrillic transliteration ("Christine" / "Крістін",
# "Democrat" / "Демократ", "Blasey" / "Блейзі", "Kavanaugh" / "Кавано"): folded on both sides.
_NAME_FOLDS = (
    (re.compile(r"chr"), "kr"),
    (re.compile(r"th"), "t"),
    (re.compile(r"c(?=[ei])"), "s"),
    (re.compile(r"ck|c"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"z"), "s"),
    (re.compile(r"(?<=[aeiou])h+$"), ""),  # "gh" folds to "hh": "Kavanaugh"
)


# Transliteration one word at a time, remembered: a news vocabulary repeats, and str.translate
# with multi-letter replacements costs ~40 ns a character. Bounded: cleared when it is full.
_LATIN_WORDS: dict[str, str] = {}
_LATIN_WORDS_MAX = 1 << 14  # ~3 MB in each process that computes features


def to_latin(text: str) -> str:
    """Return `text` transliterated to Latin (`text.translate(_TRANSLIT)`, a word at a time)."""
    words = text.split(" ")
    known = _LATIN_WORDS
    missing = set(words).difference(known)
    if len(known) + len(missing) > _LATIN_WORDS_MAX:
        known.clear()
        missing = set(words)
    for word in missing:
        known[word] = word.translate(_TRANSLIT)
    return " ".join(map(known.__getitem__, words))


def image_key(image_url: str | None) -> str | None:
    """Return the file name of an image URL (query and fragment dropped), or None."""
    if not image_url:
        return None
    name = image_url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return name or None


def fold(text: str) -> str:
    """Transliterate to Latin and fold spelling variants: the common alphabet of all editions."""
    return _fold_latin(to_latin(unicodedata.normalize("NFC", text)))


def _fold_latin(latin: str) -> str:
    """Fold the spelling variants of transliterated text (`fold` after its transliteration)."""
    text = latin.lower()
    for old, new in _FOLD:
        text = text.replace(old, new)
    return text


def clean_text(title: str, lead: str, paragraphs: Sequence[str], furniture: Furniture) -> str:
    """Return title, lead and body without subheads and attribution phrases, one per line."""
    subheads = {s.casefold() for s in furniture.subheads}
    kept = [p for p in paragraphs if p.strip().strip("#").strip().casefold() not in subheads]
    text = "\n".join([title, lead, *kept])
    for phrase in furniture.phrases:
        text = text.replace(phrase, "")
    return unicodedata.normalize("NFC", text)


def name_keys(text: str) -> frozenset[str]:
    """Return consonant skeletons of capitalised words that do not start a sentence."""
    return _latin_name_keys(to_latin(text))


def _latin_name_keys(latin: str) -> frozenset[str]:
    """Return `name_keys` of text already transliterated."""
    keys = set()
    for match in _CAPITAL_FIRST.finditer(latin):
        if _starts_sentence(latin, match.start()):
            continue  # a sentence's first word is capitalised whatever it is
        key = _skeleton(match.group(1))
        if len(key) >= 2:
            keys.add(sys.intern(key))
    return frozenset(keys)


def _starts_sentence(text: str, start: int) -> bool:
    """Tell whether the word at `start` is the first of its sentence: only spaces lie between
    it and the text's start, a line break, or a ".", "!", "?" or "…" and a space."""
    at = start
    while at and text[at - 1].isspace():
        at -= 1
    if at == 0:
        return True
    return at < start and (text[at - 1] in ".!?…" or "\n" in text[at:start])


@lru_cache(maxsize=1 << 16)  # names recur across articles; folding each again is wasted work
def _skeleton(word: str) -> str:
    """Return the first letter plus the next consonants of a folded word, at most four."""
    folded = _NON_LETTER.sub("", fold(word))
    for pattern, replacement in _NAME_FOLDS:
        folded = pattern.sub(replacement, folded)
    if not folded:
        return ""
    skeleton = folded[0] + folded[1:].translate(_VOWELS)
    collapsed = [ch for i, ch in enumerate(skeleton) if i == 0 or ch != skeleton[i - 1]]
    return "".join(collapsed[:4])


def trigram_sketch(folded: str, bits: int = SKETCH_BITS) -> int:
    """Return the letter trigrams of folded text hashed into a `bits`-wide bit set (an int)."""
    return _trigram_sketch(folded.encode("utf-8"), bits)


def _trigram_sketch(folded: bytes, bits: int = SKETCH_BITS) -> int:
    """Return `trigram_sketch` of folded text encoded in UTF-8."""
    return _sketch_of_words(_letter_runs(folded), bits)


def _letter_runs(folded: bytes) -> list[bytes]:
    """Return the words of folded text encoded in UTF-8: its runs of a-z (every other byte, and
    so every other character, breaks a word)."""
    return folded.translate(_SPACE_BUT_LETTERS).split()


def _sketch_of_words(words: list[bytes], bits: int = SKETCH_BITS) -> int:
    """Return the trigram sketch of the words of folded text (`_letter_runs`).

    The words are one space apart: as letters, their bytes are their code points.
    """
    letters = b" ".join(words)
    if len(letters) < 3:
        return 0
    hashed: np.ndarray
    if bits & (bits - 1) or bits > 1 << 21:
        codes = np.frombuffer(letters, dtype=np.uint8).astype(np.uint64)
        mixed = codes[:-2] * 1_000_003 + codes[1:-1] * 10_007 + codes[2:]
        hashed = ((mixed * 2_654_435_761) >> 11) % bits  # deterministic across processes
    else:
        # Bits 11 to 31 of a product are those of the product's lowest 32 bits, so a sketch of
        # up to 2**21 bits (a power of two) is the same computed in 32-bit arithmetic, in place.
        small = np.frombuffer(letters, dtype=np.uint8).astype(np.uint32)
        hashed = small[:-2] * np.uint32(1_000_003)
        hashed += small[1:-1] * np.uint32(10_007)
        hashed += small[2:]
        hashed *= np.uint32(2_654_435_761)
        hashed >>= np.uint32(11)
        hashed &= np.uint32(bits - 1)
    present = np.zeros(bits, dtype=np.uint8)
    present[hashed] = 1
    return int.from_bytes(np.packbits(present, bitorder="little").tobytes(), "little")


def stem_sketch(folded: str, bits: int = STEM_BITS) -> int:
    """Return the first letters of the long words of folded text as a `bits`-wide bit set."""
    return _stem_sketch(folded.encode("utf-8"), bits)


def _stem_sketch(folded: bytes, bits: int = STEM_BITS) -> int:
    """Return `stem_sketch` of folded text encoded in UTF-8 (its a-z bytes are its letters)."""
    return _stems_of_words(_letter_runs(folded), bits)


def _stems_of_words(words: list[bytes], bits: int = STEM_BITS) -> int:
    """Return the stem sketch of the words of folded text (`_letter_runs`): the first letters
    of each word of five letters or more, hashed with crc32 (the same in every process). A few
    dozen stems: setting their bits one by one costs less than numpy's calls would."""
    found = 0
    for crc in map(
        zlib.crc32, {word[:STEM_LETTERS] for word in words if len(word) >= STEM_WORDS_FROM}
    ):
        found |= 1 << (crc % bits)
    return found


def sketch_similarity(a: int, b: int) -> float:
    """Return the Jaccard similarity of two trigram bit sets (collisions make it a bit high)."""
    union = (a | b).bit_count()
    return (a & b).bit_count() / union if union else 0.0


def article_features(
    article_id: int,
    edition: str,
    published_at: datetime | None,
    title: str,
    lead: str,
    paragraphs: Sequence[str],
    image_url: str | None = None,
    *,
    furniture: Furniture,
) -> ArticleFeatures:
    """Reduce one article to the language-neutral features content matching compares
    (without the site's furniture: `SiteProfile.furniture()`)."""
    text = clean_text(title, lead, paragraphs, furniture)  # in NFC already
    latin = to_latin(text)  # once for the names and the folded text
    words = _letter_runs(_fold_latin(latin).encode("utf-8"))  # for both sketches
    return ArticleFeatures(
        article_id=article_id,
        edition=edition,
        published_at=published_at,
        image=image_key(image_url),
        numbers=number_keys(text),
        names=_latin_name_keys(latin),
        sketch=_sketch_of_words(words),
        length=len(text),
        stems=_stems_of_words(words),
    )
