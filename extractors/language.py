"""Tag a text's language (uk, ru, en, or something else), deterministically.

Cheap certain evidence comes first: words spelled with letters only Ukrainian has (і ї є ґ, an
apostrophe inside a word) or only Russian has (ы э ё), then function words and endings that
exist in one language only; Latin script with English function words is English. Only when
that evidence is silent or split does langdetect decide, restricted to the uk and ru profiles
and seeded, so the same text gets the same answer in every process. Full profiles are loaded
only for text that is clearly neither (other scripts, Serbian or Macedonian letters, Bulgarian
ъ, Latin text that is not English). The URL's edition is a tie-breaker for ambiguous
statistics, never the answer by itself.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from unn_ingest.extractors.records import ExtractedArticle, LanguageTag

SEED = 0
SHORT_BODY_LETTERS = 200  # below this the title and lead join the body for tagging
_TIE_MARGIN = 0.2  # langdetect margins below this are ties the edition may break
_MAX_TEXT = 100_000

_UK_ONLY = frozenset("іїєґ")
_RU_ONLY = frozenset("ыэё")
_OTHER_CYRILLIC = frozenset("јљњћђџѓќѕўѐѝ")  # Serbian, Macedonian, Belarusian letters


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_EN_WORDS = _wordset(
    "the of and to is for that with was by from it are this has have which were said will"
)
_WORD = re.compile(r"[^\W\d_]+")
# An apostrophe inside a Cyrillic word is Ukrainian spelling (м'ясо, п'ять, сім'я).
_APOSTROPHE = re.compile(r"(?<=[а-яіїєґ])['’ʼ](?=[а-яіїєґ])", re.IGNORECASE)
# Latin "i" typed inside a Cyrillic word stands for Ukrainian "і" (common in older texts).
_LATIN_I = re.compile(r"(?<=[а-яіїєґ])i|i(?=[а-яіїєґ])", re.IGNORECASE)
# Spellings and endings of one language only: uk doubled consonant + я (знання, життя),
# ьо, -тися, -ють, past -ав; ru ь + vowel (статья), -ие/-ия, -тся without ь, adjective endings
# -ая/-ое/-ее/-ой/-ии/-ию, -его, past -ал/-ил/-ел, infinitive -ать, -ешь.
_UK_FORMS = re.compile(r"(?:нн|тт|лл|дд|зз|сс|чч|шш|жж|цц)я|ьо|тися\b|ють\b|ав\b")
_RU_FORMS = re.compile(r"ь[еиюя]|ъ|(?:ие|ия|ая|ое|ее|ой|ии|ию|ешь|его|ал|ил|ел|ать)\b|(?<!ь)тся\b")
# Frequent words that exist in only one of the two languages.
_UK_WORDS = _wordset(
    "це що але ми вони вона воно або як де ось щоб треба дуже буде цей ця мене ще вже коли "
    "нема немає його йому було були був бути можна хто хоч хоча щось тобто отже проте ти з й "
    "чи цього якщо поки тепер бо теж лише також проти будуть мають має можуть була каже "
    "сказав який яка яке яких якого якому котрий куди завжди нехай хай цим цьому нього чому "
    "тоді року роки людина чим однак адже щодо стосовно протягом згідно"
)
_RU_WORDS = _wordset(
    "это что как но он она оно они мне меня тебя себя его ему надо уже был была было были или "
    "если когда только еще ещё нет вот где чтобы очень будет здесь сейчас потом и с к бы ни "
    "который которые можно нужно также тоже ты этот эта кто со во лишь будут имеет могут "
    "сказал какой какая какое каких куда всегда пусть этим этому него нее вместе сегодня "
    "теперь тогда почему потому даже хотя между после около более менее лет года год время "
    "человек чем которая которое которых которым однако согласно"
)


@dataclass(frozen=True, slots=True)
class _Letters:
    cyrillic: int = 0
    latin: int = 0
    other: int = 0
    hard_sign: int = 0
    other_cyrillic: int = 0

    @property
    def total(self) -> int:
        return self.cyrillic + self.latin + self.other


def detect_language(text: str, prior: str | None = None) -> LanguageTag:
    """Return the language of the whole text; `prior` only breaks statistical ties."""
    letters = _count_letters(text)
    if letters.total == 0:
        return LanguageTag("unknown", 0.0, "too-short")
    if letters.other > letters.cyrillic + letters.latin:
        return _full_profiles(text)
    if letters.latin > letters.cyrillic:
        return _latin(text)
    return _cyrillic(text, letters, prior)


def tag_article(article: ExtractedArticle) -> tuple[LanguageTag, bool]:
    """Tag an article's language from its body (title and lead too when short); flag mismatch."""
    text = article.body
    if _letter_count(text) < SHORT_BODY_LETTERS:
        text = "\n\n".join(part for part in (article.title, article.lead, text) if part)
    tag = detect_language(text, prior=article.edition or None)
    mismatch = bool(article.edition) and tag.language not in ("unknown", article.edition)
    return tag, mismatch


def _count_letters(text: str) -> _Letters:
    cyr = lat = other = hard = oth_cyr = 0
    # Counted per distinct character (Counter counts in C): a text has a few dozen of them.
    for ch, n in Counter(text.lower()).items():
        if not ch.isalpha():
            continue
        if "\u0400" <= ch <= "\u04ff":
            cyr += n
            hard += n if ch == "ъ" else 0
            oth_cyr += n if ch in _OTHER_CYRILLIC else 0
        elif ch.isascii() or "\u00c0" <= ch <= "\u024f":
            lat += n
        else:
            other += n
    return _Letters(cyr, lat, other, hard, oth_cyr)


def _letter_count(text: str) -> int:
    return sum(n for ch, n in Counter(text).items() if ch.isalpha())


def _latin(text: str) -> LanguageTag:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 20:
        return LanguageTag("en", 0.9, "letters")  # among uk, ru and en only English is Latin
    share = sum(w in _EN_WORDS for w in words) / len(words)
    if share >= 0.08:
        return LanguageTag("en", min(0.99, 0.8 + share), "letters")
    return _full_profiles(text)


def _cyrillic(text: str, letters: _Letters, prior: str | None) -> LanguageTag:
    if letters.other_cyrillic >= 2 and letters.other_cyrillic * 100 >= letters.cyrillic:
        return _full_profiles(text)
    uk, ru = _evidence(text)
    if uk.letter_words == ru.letter_words == 0 and letters.hard_sign and letters.cyrillic >= 40:
        return _full_profiles(text)  # ъ without ы is Bulgarian's signature, not Russian's
    return _decide(uk, ru) or _restricted(text, prior)


@dataclass(frozen=True, slots=True)
class _Evidence:
    """Certain signs of one language: distinct words with its letters, its words and forms."""

    language: str
    letter_words: int
    words: int

    @property
    def score(self) -> int:
        # A word spelled with a letter the other language lacks outweighs a function word.
        return 3 * self.letter_words + self.words


def _evidence(text: str) -> tuple[_Evidence, _Evidence]:
    lowered = text.lower()
    # One-letter words count only in lower case: a capital is more likely an initial ("К.").
    words = [w.lower() for w in _WORD.findall(text) if len(w) > 1 or w.islower()]
    # Distinct words, so that a Ukrainian name repeated in a Russian text ("Дія") counts once.
    distinct = set(words)
    uk_letters = sum(1 for w in distinct if not _UK_ONLY.isdisjoint(w) or _LATIN_I.search(w))
    ru_letters = sum(1 for w in distinct if not _RU_ONLY.isdisjoint(w))
    uk_letters += len(set(_APOSTROPHE.findall(lowered)))
    uk_words = sum(w in _UK_WORDS for w in words) + len(_UK_FORMS.findall(lowered))
    ru_words = sum(w in _RU_WORDS for w in words) + len(_RU_FORMS.findall(lowered))
    return _Evidence("uk", uk_letters, uk_words), _Evidence("ru", ru_letters, ru_words)


def _decide(uk: _Evidence, ru: _Evidence) -> LanguageTag | None:
    """Return the language whose evidence outweighs the other's twice over, else None."""
    for winner, loser in ((uk, ru), (ru, uk)):
        if winner.score > 2 * loser.score:
            method = "letters" if 3 * winner.letter_words > 2 * loser.score else "words"
            if loser.score:
                return LanguageTag(winner.language, 0.8, method)
            return LanguageTag(winner.language, 0.99 if winner.score >= 3 else 0.9, method)
    return None


def _restricted(text: str, prior: str | None) -> LanguageTag:
    ranked = _probabilities(_factory(("ru", "uk")), text)
    if not ranked:
        return LanguageTag("unknown", 0.0, "too-short")
    (best, p_best), (_, p_next) = ranked[0], (ranked[1] if len(ranked) > 1 else ("", 0.0))
    if prior in ("uk", "ru") and prior != best and p_best - p_next < _TIE_MARGIN:
        return LanguageTag(prior, round(1.0 - p_best, 4), "langdetect+prior")
    return LanguageTag(best, round(p_best, 4), "langdetect")


def _full_profiles(text: str) -> LanguageTag:
    ranked = _probabilities(_factory(None), text)
    if not ranked:
        return LanguageTag("unknown", 0.0, "too-short")
    best, prob = ranked[0]
    return LanguageTag(best.split("-")[0], round(prob, 4), "langdetect-full")


def _probabilities(factory: DetectorFactory, text: str) -> list[tuple[str, float]]:
    detector = factory.create()
    detector.set_max_text_length(_MAX_TEXT)
    detector.append(text)
    try:
        return [(lang.lang, float(lang.prob)) for lang in detector.get_probabilities()]
    except LangDetectException:
        return []


@lru_cache(maxsize=2)
def _factory(languages: tuple[str, ...] | None) -> DetectorFactory:
    """Build a seeded detector factory over these profiles (all, sorted, when None)."""
    directory = Path(PROFILES_DIRECTORY)
    names = (
        languages if languages is not None else tuple(sorted(p.name for p in directory.iterdir()))
    )
    factory = DetectorFactory()
    # Loading in a fixed order keeps profile indices, and so tie order, equal in every process.
    factory.load_json_profile([(directory / name).read_text(encoding="utf-8") for name in names])
    factory.set_seed(SEED)
    return factory
