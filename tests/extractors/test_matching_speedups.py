"""The fast paths of content matching give what the plain implementations they replace give.

Each reference below is the obvious way to compute a feature (look-behind patterns, one
transliteration per text, a sentence split); the modules compute the same faster. The inputs
are random strings of the characters that matter (digits, separators, scales, month names,
capitals, sentence ends) and the replica's hand-written stories.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
import sys
import unicodedata
import zlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from unn_ingest.config import load_profile
from unn_ingest.extractors import matching_features, matching_numbers
from unn_ingest.extractors.matching import ArticleFeatures, article_features, pair_logit
from unn_ingest.extractors.matching_batch import PairArrays
from unn_ingest.replica.stories.loader import load_handwritten

START = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
FURNITURE = load_profile().furniture()
_PIECES = (
    list("0123456789") * 6
    + [" ", " ", "\u00a0", "\u202f", ",", ".", ", ", ". ", "\n", "\n\n", "-", "(", "_", "a", "я"]
    + [" млн", " billion", " тис.", "bn", " Million", " трлн", " мільярд", " ТИС"]
    + [" листопада", " ноября", "November ", "Nov. ", "May", " травня", "Dec"]
    + [" Київ", " Kyiv", "! ", "? ", "… ", " Зеленський", " NATO", " «Укренерго»", "\u2028"]
    + ["ґ", "Ї", "\u1c82", "\u212a", "\u0131", "١", "٣", "John's", " O'Neil", "x-Ray", " D.C."]
    + ["Ђ", "ѓ", "€", "«", "»", "’", "Ў", "№", "\U0001d7d9", "ſ", "İ", "Ω", "ß", "é"]
)


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(_PIECES, k=rng.randint(0, 40))) for _ in range(count)]


def _story_texts() -> list[str]:
    texts = []
    for story in load_handwritten(START):
        for text in story.editions.values():
            texts.append("\n".join([text.title, text.lead, *(b.text for b in text.blocks)]))
    return texts


TEXTS = _random_texts(6000, seed=23) + _story_texts()

# --- number keys: the look-behind patterns, searched the plain way -----------------------------

_REF_CYRILLIC = re.compile(r"[а-яіїєґё]+", re.IGNORECASE)
_REF_LATIN = re.compile(r"[a-z]+", re.IGNORECASE)
_REF_DAY_MONTH = re.compile(r"\b" + matching_numbers._DAY_MONTH.pattern)
_REF_MONTH_DAY = re.compile(r"\b" + matching_numbers._MONTH_DAY.pattern)


def _reference_number_keys(text: str) -> frozenset[str]:
    sample = text[:600]
    cyrillic = sum(map(len, _REF_CYRILLIC.findall(sample))) >= sum(
        map(len, _REF_LATIN.findall(sample))
    )
    pattern = matching_numbers._CYRILLIC_NUMBER if cyrillic else matching_numbers._LATIN_NUMBER
    keys = set()
    for match in pattern.finditer(text):
        value = matching_numbers._value(match.group(1), match.group(2))
        scale = matching_numbers._SCALE.match(text, match.end())
        if scale:
            value *= matching_numbers._SCALES[scale.group(1).lower()]
        keys.add(f"{value:.6g}")
    found = [(m.group(1), m.group(2)) for m in _REF_DAY_MONTH.finditer(text)]
    found += [(m.group(2), m.group(1)) for m in _REF_MONTH_DAY.finditer(text)]
    keys |= {f"d{matching_numbers._MONTHS[w]}.{int(d)}" for d, w in found if 1 <= int(d) <= 31}
    return frozenset(keys)


def test_number_keys_equal_the_look_behind_patterns() -> None:
    differ = [t for t in TEXTS if matching_numbers.number_keys(t) != _reference_number_keys(t)]
    assert differ == []
    assert sum(1 for t in TEXTS if matching_numbers.number_keys(t)) > len(TEXTS) // 2


def test_letters_are_counted_as_the_ignorecase_patterns_count_them() -> None:
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    for text in [everything, *TEXTS]:
        expected = (
            sum(map(len, _REF_CYRILLIC.findall(text))),
            sum(map(len, _REF_LATIN.findall(text))),
        )
        assert matching_numbers._letters(text) == expected, text


# --- name keys: one sentence at a time --------------------------------------------------------

_REF_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


def _reference_name_keys(text: str) -> frozenset[str]:
    latin = unicodedata.normalize("NFC", text).translate(matching_features._TRANSLIT)
    keys = set()
    for sentence in _REF_SENTENCE.split(latin):
        for match in matching_features._CAPITALISED.finditer(sentence):
            if match.start() == 0 or sentence[: match.start()].strip() == "":
                continue
            key = matching_features._skeleton(match.group(1))
            if len(key) >= 2:
                keys.add(key)
    return frozenset(keys)


def test_name_keys_equal_those_found_sentence_by_sentence() -> None:
    texts = [unicodedata.normalize("NFC", t) for t in TEXTS]
    differ = [t for t in texts if matching_features.name_keys(t) != _reference_name_keys(t)]
    assert differ == []
    assert sum(1 for t in texts if matching_features.name_keys(t)) > len(texts) // 3


# --- sketches: regex words and 64-bit arithmetic ---------------------------------------------


def _reference_trigram_sketch(folded: str, bits: int) -> int:
    letters = " ".join(re.findall(r"[a-z]+", folded))
    present = 0
    for n in range(len(letters) - 2):
        a, b, c = (ord(ch) for ch in letters[n : n + 3])
        present |= 1 << ((((a * 1_000_003 + b * 10_007 + c) * 2_654_435_761) >> 11) % bits)
    return present


def _reference_stem_sketch(folded: str, bits: int) -> int:
    stems = {word[:4].encode() for word in re.findall(r"[a-z]{5,}", folded)}
    return sum(1 << p for p in {zlib.crc32(stem) % bits for stem in stems})


def test_sketches_equal_those_of_regex_words_and_big_integers() -> None:
    folded = [matching_features.fold(t) for t in TEXTS]
    for bits in (4096, 1024, 1000, 1 << 22):
        for text in folded[:: 1 if bits in (4096, 1024) else 7]:
            trigrams = matching_features.trigram_sketch(text, bits)
            assert trigrams == _reference_trigram_sketch(text, bits), (bits, text)
            assert matching_features.stem_sketch(text, bits) == _reference_stem_sketch(text, bits)
    assert sum(1 for t in folded if matching_features.stem_sketch(t)) > len(folded) // 2


# --- pair scores: one at a time --------------------------------------------------------------


def _features() -> list[ArticleFeatures]:
    """Return the hand-written stories' editions, some with images, lengths and times varied."""
    rng = random.Random(5)
    found: list[ArticleFeatures] = []
    for story in load_handwritten(START):
        for edition, text in story.editions.items():
            paragraphs = [b.text for b in text.blocks]
            image = rng.choice([None, "a.jpg", "b.jpg", story.image_path])
            when = story.published_at + timedelta(minutes=rng.choice([0, 0, 0.5, 7, 40, 300]))
            features = article_features(
                len(found) + 1, edition, when, text.title, text.lead, paragraphs, image,
                furniture=FURNITURE,
            )  # fmt: skip
            if rng.random() < 0.1:
                features = dataclasses.replace(features, numbers=frozenset(), length=0)
            found.append(features)
    return found


def test_batched_pair_scores_are_pair_logit_bit_for_bit() -> None:
    items = _features()
    arrays = PairArrays(items)
    first, second = zip(*itertools.combinations(range(len(items)), 2), strict=True)
    expected = [pair_logit(items[a], items[b]) for a, b in zip(first, second, strict=True)]
    assert arrays.logits(first, second) == expected
    assert len(set(expected)) > 100


def test_times_of_one_zone_subtract_as_wall_clock_times() -> None:
    kyiv = ZoneInfo("Europe/Kyiv")  # summer time ended at 04:00 on 2025-10-26
    items = [
        dataclasses.replace(f, published_at=when)
        for f, when in zip(
            _features()[:4],
            [
                datetime(2025, 10, 26, 2, 50, tzinfo=kyiv),
                datetime(2025, 10, 26, 4, 5, tzinfo=kyiv),
                datetime(2025, 10, 26, 0, 5, tzinfo=UTC),
                datetime(2025, 10, 26, 4, 5),
            ],
            strict=True,
        )
    ]
    pairs = [(0, 1), (0, 2), (1, 2)]
    expected = [pair_logit(items[a], items[b]) for a, b in pairs]
    assert PairArrays(items).logits(*zip(*pairs, strict=True)) == expected
