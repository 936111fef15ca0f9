"""The article-extraction-benchmark metric: 4-gram multisets, P and R averaged over pages."""

from __future__ import annotations

import pytest

from unn_ingest.extractors.scoring import PageScore, score_corpus, score_page, shingles

TEXT = "one two three four five six"


def test_shingles_are_a_multiset_of_word_4grams() -> None:
    grams = shingles("a b c d a b c d")
    assert grams[("a", "b", "c", "d")] == 2
    assert sum(grams.values()) == 5


def test_tokens_are_word_characters_case_kept() -> None:
    assert set(shingles("Hi, there — you all!")) == {("Hi", "there", "you", "all")}


def test_text_shorter_than_four_words_is_one_shingle() -> None:
    assert shingles("just two") == {("just", "two"): 1}
    assert shingles("") == {}


@pytest.mark.parametrize(
    ("predicted", "truth", "precision", "recall"),
    [
        (TEXT, TEXT, 1.0, 1.0),
        ("", "", 1.0, 1.0),
        ("", TEXT, None, 0.0),
        ("zero " + TEXT, TEXT, 3 / 4, 1.0),
        ("one two three four", TEXT, 1.0, 1 / 3),
    ],
    ids=["identical", "empty-empty", "nothing-predicted", "extra-word", "half-found"],
)
def test_page_precision_and_recall(
    predicted: str, truth: str, precision: float | None, recall: float
) -> None:
    score = score_page(predicted, truth)
    assert score.precision == (pytest.approx(precision) if precision is not None else None)
    assert score.recall == pytest.approx(recall)


def test_repeated_shingles_count_once_per_true_occurrence() -> None:
    score = score_page(TEXT + " " + TEXT, TEXT)
    assert (score.tp, score.fp, score.fn) == (3, 6, 0)  # 3 repeats + 3 across the join


def test_corpus_f1_is_taken_of_averaged_precision_and_recall() -> None:
    pages = [PageScore(1, 0, 0, 1.0, 0.5), PageScore(1, 1, 0, 0.5, 1.0)]
    corpus = score_corpus(pages)
    assert (corpus.precision, corpus.recall) == (0.75, 0.75)
    assert corpus.f1 == pytest.approx(0.75)  # the mean of per-page F1s would be 0.667


def test_pages_without_a_prediction_leave_the_precision_mean() -> None:
    pages = [score_page("", TEXT), score_page(TEXT, TEXT)]
    corpus = score_corpus(pages)
    assert corpus.precision == 1.0
    assert corpus.recall == 0.5
