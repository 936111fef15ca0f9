"""Slugs and transliteration: uk national system, the site's ru scheme, hyphenated English."""

from __future__ import annotations

import pytest

from unn_ingest.replica.translit import slugify, to_latin

SLUGS = [
    ("uk-dlia-ukrainy", "Для України", "uk", "dlia-ukrainy"),
    ("uk-shch", "Щедрий вечір", "uk", "shchedryi-vechir"),
    ("uk-initial-forms", "Ялта, Юрій, Єнакієве, Їжакевич, Йосипівка", "uk",
     "yalta-yurii-yenakiieve-yizhakevych-yosypivka"),
    ("uk-inner-forms", "Стрий Знам'янка Подвір'їв Київ", "uk", "stryi-znamianka-podviriv-kyiv"),
    ("uk-zgh", "Згорани", "uk", "zghorany"),
    ("uk-soft-sign-dropped", "Львів, Ірпінь", "uk", "lviv-irpin"),
    ("uk-typographic-apostrophe", "П’ятниця", "uk", "piatnytsia"),
    ("uk-zelenskyi", "Зеленський", "uk", "zelenskyi"),
    ("ru-dlya-ukraini", "Для Украины", "ru", "dlya-ukraini"),
    ("ru-letters", "Жёлтый щит, хлеб, цена, чай, шум, объём, пьеса", "ru",
     "zheltiy-shchit-khleb-tsena-chay-shum-obem-pesa"),
    ("ru-ya-yu", "Ясно, юг", "ru", "yasno-yug"),
    ("en-percent", "Inflation slows to 9.5% in October", "en",
     "inflation-slows-to-9-5-percent-in-october"),
    ("en-apostrophe", "Ukraine's GDP grows", "en", "ukraines-gdp-grows"),
    ("en-punctuation-collapses", "Kyiv — “calm” night: 0 alerts!", "en",
     "kyiv-calm-night-0-alerts"),
    ("en-accents", "Café in Besançon", "en", "cafe-in-besancon"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("title", "edition", "expected"),
    [case[1:] for case in SLUGS],
    ids=[case[0] for case in SLUGS],
)
def test_slugify(title: str, edition: str, expected: str) -> None:
    assert slugify(title, edition) == expected


def test_slugify_has_no_length_cap() -> None:
    title = "Дуже довгий заголовок новини " * 10
    assert len(slugify(title, "uk")) > 250


LATIN = [
    ("uk-name", "Зеленський", "uk", "Zelenskyi"),
    ("uk-acronym-upper", "ЗСУ", "uk", "ZSU"),
    ("uk-keeps-punctuation", "Київ, Харків", "uk", "Kyiv, Kharkiv"),
    ("ru-name", "Зеленский", "ru", "Zelenskiy"),
    ("ru-city", "Киев", "ru", "Kiev"),
    ("en-unchanged", "Kyiv", "en", "Kyiv"),
]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [case[1:] for case in LATIN],
    ids=[case[0] for case in LATIN],
)
def test_to_latin(text: str, lang: str, expected: str) -> None:
    assert to_latin(text, lang) == expected
