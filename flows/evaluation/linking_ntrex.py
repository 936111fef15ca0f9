"""Evaluate linking on real text: the NTREX stories (`unn-ingest eval linking --ntrex`).

The stories come from `replica.stories.ntrex` (real news with professional uk/ru translations,
read from `data_dir() / "ntrex-128"`), scheduled with hard negatives: same-topic stories minutes
apart, one stock image per topic, translations published hours after the original. Measured:

- `content_only`: every link ignored and lead images ignored, editions timed as they appear
  (hours apart for every third story); the target figure;
- `content_only_images`: the same with the (reused) lead images used;
- `content_only_same_time`: images ignored, every edition showing the original's time, as
  unn.ua does;
- near-duplicates (republications a day later) and corrections, as in `eval linking`;
- language: each edition's body tagged with no prior (must give the edition), and the
  headline alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from unn_ingest.extractors.language import detect_language
from unn_ingest.flows.evaluation.datasets import EvaluationDataError, data_dir, require
from unn_ingest.flows.evaluation.linking import (
    EvalArticle,
    corrections_report,
    duplicates_report,
    load_articles,
    pairwise,
    partition,
)
from unn_ingest.replica.catalogue import DEFAULT_START
from unn_ingest.replica.model import Story
from unn_ingest.replica.stories.ntrex import FOLDER, NtrexDataError, ntrex_stories

__all__ = ["evaluate_ntrex", "language_report", "ntrex_lines", "stories"]


def stories(folder: Path | None = None, seed: int = 1) -> list[Story]:
    """Return the NTREX stories read from the shared data folder (`folder` or `data_dir()`)."""
    try:
        return ntrex_stories(require(data_dir(folder), FOLDER), DEFAULT_START, seed)
    except NtrexDataError as exc:
        raise EvaluationDataError(str(exc)) from None


def _content_only(story_set: Sequence[Story], with_images: bool, delayed: bool) -> dict[str, Any]:
    articles = load_articles(story_set, with_images, delayed_times=delayed)
    truth = {a.article_id: a.truth for a in articles}
    return pairwise(partition(articles, use_links=False), truth, set(truth))


def language_report(articles: Sequence[EvalArticle]) -> dict[str, Any]:
    """Return how often each edition's body and headline are tagged as the edition's language."""
    body_hits = title_hits = 0
    wrong: list[str] = []
    for article in articles:
        text = article.text
        body = "\n\n".join([text.lead, *(block.text for block in text.blocks)])
        tag = detect_language(body).language
        body_hits += tag == text.edition
        title_hits += detect_language(text.title).language == text.edition
        if tag != text.edition:
            wrong.append(f"{article.story.story_id}/{text.edition}: {tag}")
    count = max(1, len(articles))
    return {
        "articles": len(articles),
        "body_accuracy": round(body_hits / count, 4),
        "title_accuracy": round(title_hits / count, 4),
        "wrong_bodies": wrong,
    }


def evaluate_ntrex(folder: Path | None = None, seed: int = 1) -> dict[str, Any]:
    """Return the NTREX report: content-only linking, near-duplicates, corrections, language."""
    story_set = stories(folder, seed)
    articles = load_articles(story_set, with_images=True)
    truth = {a.article_id: a.truth for a in articles}
    return {
        "stories": len(story_set),
        "articles": len(articles),
        "content_only": _content_only(story_set, with_images=False, delayed=True),
        "content_only_images": _content_only(story_set, with_images=True, delayed=True),
        "content_only_same_time": _content_only(story_set, with_images=False, delayed=False),
        "with_links": pairwise(partition(articles, use_links=True), truth, set(truth)),
        "duplicates": duplicates_report(articles),
        "corrections": corrections_report(articles),
        "language": language_report(articles),
    }


def ntrex_lines(report: dict[str, Any]) -> list[str]:
    """Return the NTREX report as plain lines."""
    lines = [
        f"NTREX real text: {report['stories']} stories, {report['articles']} articles "
        "(links ignored unless said)",
        f"{'scored on':<24} {'P':>7} {'R':>7} {'F1':>7} {'wrong':>6} {'missed':>6}",
    ]
    for key in ("content_only", "content_only_images", "content_only_same_time", "with_links"):
        s = report[key]
        lines.append(
            f"{key:<24} {s['precision']:>7.4f} {s['recall']:>7.4f} {s['f1']:>7.4f} "
            f"{s['wrong_pairs']:>6} {s['missed_pairs']:>6}"
        )
    dup, cor, lang = report["duplicates"], report["corrections"], report["language"]
    lines.append(
        f"republications found {dup['found']}/{dup['republished_articles']}, false duplicates "
        f"{dup['false_duplicates']}; corrections as updates {cor['detected_as_update']}/"
        f"{cor['corrected_articles']}, marked duplicate {cor['marked_duplicate']}"
    )
    lines.append(
        f"language (no prior): bodies {lang['body_accuracy']:.4f}, "
        f"headlines alone {lang['title_accuracy']:.4f} of {lang['articles']}"
    )
    return lines
