"""Language tagging: certain evidence first, seeded langdetect, the edition only a tie-breaker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from unn_ingest.extractors.language import detect_language, tag_article
from unn_ingest.extractors.records import ExtractedArticle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extractors" / "language"
CASES: dict[str, dict[str, Any]] = json.loads((FIXTURES / "cases.json").read_text("utf-8"))
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(CASES))
def test_detects_language_and_says_how(name: str) -> None:
    case = CASES[name]
    tag = detect_language(case["text"])
    assert (tag.language, tag.method) == (case["language"], case["method"])
    assert 0.0 <= tag.confidence <= 1.0


@pytest.mark.parametrize("prior", ["uk", "ru", "en"])
def test_prior_never_overrides_certain_evidence(prior: str) -> None:
    assert detect_language(CASES["ru-letters"]["text"], prior=prior).language == "ru"
    assert detect_language(CASES["uk-letters"]["text"], prior=prior).language == "uk"


def test_prior_breaks_a_statistical_tie_only() -> None:
    # "правда" is spelled the same in both languages; no letter or word tells them apart.
    plain = detect_language("правда")
    assert plain.method == "langdetect"
    other = "uk" if plain.language == "ru" else "ru"
    with_prior = detect_language("правда", prior=other)
    assert with_prior.language == other
    assert with_prior.method == "langdetect+prior"


def _article(edition: str, title: str, paragraphs: tuple[str, ...]) -> ExtractedArticle:
    return ExtractedArticle(
        url=f"https://unn.ua/{edition}/news/x",
        edition=edition,
        slug="x",
        title=title,
        lead="",
        paragraphs=paragraphs,
    )


def test_mislabelled_page_is_flagged() -> None:
    article = _article("en", "Уряд ухвалив нові правила", (CASES["uk-letters"]["text"],) * 4)
    tag, mismatch = tag_article(article)
    assert tag.language == "uk"
    assert mismatch is True


def test_matching_page_is_not_flagged() -> None:
    article = _article("ru", "Заголовок", (CASES["ru-letters"]["text"],) * 4)
    assert tag_article(article) == (detect_language(article.body, "ru"), False)


def test_short_body_is_tagged_with_the_title() -> None:
    # The body alone ("правда") is ambiguous; the title's "і" settles it.
    article = _article("ru", "Нові правила для ветеранів і їхніх родин", ("правда",))
    tag, mismatch = tag_article(article)
    assert (tag.language, mismatch) == ("uk", True)


_PROBE = """
import json, sys
from unn_ingest.extractors.language import detect_language
texts = json.loads(sys.stdin.read())
print(json.dumps([[detect_language(t).language, detect_language(t).confidence] for t in texts]))
"""


def _run_in_subprocess(texts: list[str], hash_seed: str) -> list[list[Any]]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=True,
    )
    result: list[list[Any]] = json.loads(done.stdout)
    return result


@pytest.mark.slow
def test_same_answer_in_every_process() -> None:
    texts = ["правда", "система уявлень", "наказом короля", "продавец чутко", "сторону замка"]
    texts += [CASES["fr-other-latin"]["text"], CASES["bg-other-cyrillic"]["text"]]
    first = _run_in_subprocess(texts, "1")
    second = _run_in_subprocess(texts, "2")
    here = [[detect_language(t).language, detect_language(t).confidence] for t in texts]
    assert first == second == here
