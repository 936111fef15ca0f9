"""Score extracted text against the truth with the article-extraction-benchmark metric.

Tokens are the matches of `\\w+` (case kept); each text becomes a multiset of word 4-grams.
Per page, precision and recall come from the multiset overlap; the corpus figures average
precision and recall over pages, and F1 is taken of those two averages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's overlap counts; precision None when nothing was predicted or true."""

    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None

    @property
    def f1(self) -> float:
        """Return this page's F1 (0 when undefined)."""
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class CorpusScore:
    """Precision and recall averaged over pages, and the F1 of those averages."""

    precision: float
    recall: float
    f1: float
    pages: int


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Return the multiset of word 4-grams of a text (shorter texts: one shorter n-gram)."""
    tokens = _TOKEN.findall(text)
    if 0 < len(tokens) < SHINGLE:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def score_page(predicted: str, truth: str) -> PageScore:
    """Score one page's predicted text against its true text."""
    pred, true = shingles(predicted), shingles(truth)
    if not pred and not true:
        return PageScore(0, 0, 0, 1.0, 1.0)  # nothing to find, nothing found: perfect
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return PageScore(tp, fp, fn, precision, recall)


def score_corpus(pages: Iterable[PageScore]) -> CorpusScore:
    """Average precision and recall over pages (undefined ones left out); F1 of the averages."""
    scored = list(pages)
    precisions = [p.precision for p in scored if p.precision is not None]
    recalls = [p.recall for p in scored if p.recall is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return CorpusScore(precision, recall, f1, len(scored))
