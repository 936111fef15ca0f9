"""Evaluate story linking against the replica's ground truth: `unn-ingest eval linking`.

Inputs come straight from the replica's catalogue (title, lead, body blocks, image path,
publish time; no HTTP), so the figures measure the linking decisions alone:

- `explicit`: stories whose pages carry hreflang or switcher links get those links (every
  edition's URL is known from the catalogue), the rest are matched by content, as the pipeline
  does; scored on the articles of link-carrying stories;
- `content_only`: every link ignored, every story matched by content alone; scored on all
  articles and on the `home` variant (stories that never carry links);
- near-duplicates: republications under new slugs must be found as `duplicate_of` their
  original, corrections (the same URL refetched) must be updates, never duplicates.

Scores are pairwise precision/recall/F1 of the story partition: a pair of articles counts when
at least one of them is in the scored subset. `--ntrex` scores real text instead (the NTREX
stories, `linking_ntrex.py`).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations
from pathlib import Path
from typing import Annotated, Any

import typer

from unn_ingest.config import load_profile
from unn_ingest.extractors.fingerprint import (
    Fingerprint,
    content_hash,
    find_duplicates,
    fingerprint,
)
from unn_ingest.extractors.heap import paused_gc
from unn_ingest.extractors.linking import LinkEdge, LinkNode, form_stories
from unn_ingest.extractors.matching import (
    ArticleFeatures,
    MatchOptions,
    article_features,
    match_editions,
)
from unn_ingest.flows.evaluation.datasets import SHARED_DATA_HELP
from unn_ingest.replica.catalogue import build_catalogue, stories_for_articles
from unn_ingest.replica.model import EditionText, Story

__all__ = ["EvalArticle", "command", "evaluate", "load_articles", "pairwise", "partition"]

QUICK_ARTICLES = 1000
FURNITURE = load_profile().furniture()  # the site's attribution phrases and subheads
JITTER_SEED = 5


@dataclass(frozen=True, slots=True)
class EvalArticle:
    """One edition of the catalogue, as the linker would see it after extraction."""

    article_id: int
    story: Story
    text: EditionText
    features: ArticleFeatures

    @property
    def truth(self) -> str:
        """Return the true story id."""
        return self.story.story_id

    @property
    def explicit(self) -> bool:
        """Return whether the story's pages carry usable edition links."""
        return self.story.link_variant in ("hreflang", "switcher")


def _paragraphs(text: EditionText) -> list[str]:
    return [block.text for block in text.blocks]


def load_articles(
    stories: Iterable[Story],
    with_images: bool = True,
    jitter_minutes: int = 0,
    delayed_times: bool = False,
) -> list[EvalArticle]:
    """Turn catalogue stories into articles with content features, ids in publish order.

    `jitter_minutes` moves each translation's publish time by up to that much either way (a
    fixed pseudo-random draw), to test linking where editions do not share the exact minute.
    With `delayed_times`, an edition that appears later shows that later time (the site shows
    the original's time; this is the harder case of editions published hours apart).
    """
    articles: list[EvalArticle] = []
    rng = random.Random(JITTER_SEED)
    with paused_gc():  # as the link step computes stored rows' features (see `heap`)
        for story in stories:
            for text in story.editions.values():
                article_id = len(articles) + 1
                shift = rng.randint(-jitter_minutes, jitter_minutes) if text.edition != "uk" else 0
                shift += text.delay_minutes if delayed_times else 0
                features = article_features(
                    article_id,
                    text.edition,
                    story.published_at + timedelta(minutes=shift),
                    text.title,
                    text.lead,
                    _paragraphs(text),
                    story.image_path if with_images else None,
                    furniture=FURNITURE,
                )
                articles.append(EvalArticle(article_id, story, text, features))
    return articles


def explicit_edges(articles: Sequence[EvalArticle]) -> list[LinkEdge]:
    """Return the links the pages of hreflang/switcher stories carry, between every edition."""
    by_story: dict[str, list[EvalArticle]] = {}
    for article in articles:
        if article.explicit:
            by_story.setdefault(article.truth, []).append(article)
    edges = []
    for members in by_story.values():
        for a, b in combinations(members, 2):
            method = a.story.link_variant
            edges.append(LinkEdge(a.article_id, b.article_id, method, 1.0))
    return edges


def partition(
    articles: Sequence[EvalArticle], use_links: bool, options: MatchOptions | None = None
) -> dict[int, int]:
    """Link the articles as the pipeline would; return article id -> group number."""
    explicit = explicit_edges(articles) if use_links else []
    taken: dict[int, set[str]] = {}
    if explicit:
        editions = {a.article_id: a.text.edition for a in articles}
        for a, b in ((e.a, e.b) for e in explicit):
            taken.setdefault(a, set()).add(editions[b])
            taken.setdefault(b, set()).add(editions[a])
    features = [a.features for a in articles]
    content = match_editions(features, features, taken, options)
    nodes = [LinkNode(a.article_id, a.text.edition, a.story.published_at) for a in articles]
    groups = form_stories(nodes, [*explicit, *content])
    return {m.article_id: n for n, group in enumerate(groups) for m in group}


def _pairs(labels: dict[int, Any], subset: set[int]) -> set[tuple[int, int]]:
    grouped: dict[Any, list[int]] = {}
    for article_id, label in labels.items():
        grouped.setdefault(label, []).append(article_id)
    return {
        (a, b)
        for members in grouped.values()
        for a, b in combinations(sorted(members), 2)
        if a in subset or b in subset
    }


def pairwise(predicted: dict[int, int], truth: dict[int, str], subset: set[int]) -> dict[str, Any]:
    """Return pairwise precision, recall and F1 of a partition, over pairs touching `subset`."""
    found, true = _pairs(predicted, subset), _pairs(truth, subset)
    hits = len(found & true)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "articles": len(subset),
        "true_pairs": len(true),
        "found_pairs": len(found),
        "wrong_pairs": len(found - true),
        "missed_pairs": len(true - found),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def duplicates_report(articles: Sequence[EvalArticle]) -> dict[str, Any]:
    """Measure republication detection and false duplicates over the articles."""
    prints = [_fingerprint(a) for a in articles]
    found = find_duplicates(prints, prints)
    key = {(a.truth, a.text.edition): a.article_id for a in articles}
    expected = {
        a.article_id: key.get((str(a.story.republication_of), a.text.edition))
        for a in articles
        if a.story.republication_of
    }
    hits = sum(1 for dup, original in expected.items() if found.get(dup, (None,))[0] == original)
    false = {dup for dup, (original, _) in found.items() if expected.get(dup) != original}
    return {
        "republished_articles": len(expected),
        "found": hits,
        "detection_rate": round(hits / len(expected), 4) if expected else 1.0,
        "false_duplicates": len(false),
        "false_duplicate_rate": round(len(false) / max(1, len(articles) - len(expected)), 5),
    }


def corrections_report(articles: Sequence[EvalArticle]) -> dict[str, Any]:
    """Check every corrected article: its refetch is an update (hash differs), not a duplicate."""
    corrected = [a for a in articles if a.text.revisions]
    updates = 0
    for article in corrected:
        first = article.text.revisions[0]
        old = (first.title, first.lead, [b.text for b in first.blocks])
        new = (article.text.title, article.text.lead, _paragraphs(article.text))
        if content_hash(*old) != content_hash(*new):
            updates += 1
    # The refetch keeps the URL and so the article id: it can only be a duplicate of another.
    stored = [_fingerprint(a, first_text=True) for a in articles]
    refetched = [_fingerprint(a) for a in corrected]
    flagged = set(find_duplicates(refetched, stored)) - {
        a.article_id for a in corrected if a.story.republication_of
    }
    return {
        "corrected_articles": len(corrected),
        "detected_as_update": updates,
        "marked_duplicate": len(flagged),
        "detection_rate": round(updates / len(corrected), 4) if corrected else 1.0,
    }


def _fingerprint(article: EvalArticle, first_text: bool = False) -> Fingerprint:
    """Return an article's fingerprint, of its first published text if `first_text`."""
    text = article.text
    title, lead, paragraphs = text.title, text.lead, _paragraphs(text)
    if first_text and text.revisions:
        first = text.revisions[0]
        title, lead, paragraphs = first.title, first.lead, [b.text for b in first.blocks]
    return fingerprint(
        article.article_id, text.edition, article.story.published_at, title, lead, paragraphs
    )


def evaluate_set(
    stories: Sequence[Story], with_images: bool = True, jitter_minutes: int = 0
) -> dict[str, Any]:
    """Return the linking report for one set of stories."""
    started = time.perf_counter()
    articles = load_articles(stories, with_images, jitter_minutes)
    truth = {a.article_id: a.truth for a in articles}
    everyone = set(truth)
    explicit_ids = {a.article_id for a in articles if a.explicit}
    home_ids = {a.article_id for a in articles if a.story.link_variant == "home"}
    with_links = partition(articles, use_links=True)
    content_only = partition(articles, use_links=False)
    return {
        "stories": len(stories),
        "articles": len(articles),
        "explicit": pairwise(with_links, truth, explicit_ids),
        "with_links_all": pairwise(with_links, truth, everyone),
        "content_only": pairwise(content_only, truth, everyone),
        "content_only_home": pairwise(content_only, truth, home_ids),
        "duplicates": duplicates_report(articles),
        "corrections": corrections_report(articles),
        "seconds": round(time.perf_counter() - started, 2),
    }


def evaluate(
    stories: int = 5000,
    seed: int = 1,
    quick: bool = False,
    with_images: bool = True,
    jitter_minutes: int = 0,
) -> dict[str, Any]:
    """Return the full report: hand-written stories and generated stories, separately."""
    count = stories_for_articles(QUICK_ARTICLES) if quick else stories
    catalogue = build_catalogue(seed=seed, generated=count)
    handwritten = [s for s in catalogue.stories if s.handwritten]
    generated = [s for s in catalogue.stories if not s.handwritten]
    return {
        "seed": seed,
        "with_images": with_images,
        "jitter_minutes": jitter_minutes,
        "handwritten": evaluate_set(handwritten, with_images, jitter_minutes),
        "generated": evaluate_set(generated, with_images, jitter_minutes),
        "all": evaluate_set(catalogue.stories, with_images, jitter_minutes),
    }


def _lines(report: dict[str, Any]) -> list[str]:
    images = "used" if report["with_images"] else "ignored"
    lines = [
        f"seed {report['seed']}, lead images {images}, "
        f"translation times moved by up to {report['jitter_minutes']} min"
    ]
    header = (
        f"{'set':<12} {'scored on':<18} {'articles':>8} {'P':>7} {'R':>7} {'F1':>7} {'wrong':>6}"
    )
    lines.append(header)
    for name in ("handwritten", "generated", "all"):
        part = report[name]
        for key in ("explicit", "content_only", "content_only_home"):
            s = part[key]
            lines.append(
                f"{name:<12} {key:<18} {s['articles']:>8} {s['precision']:>7.4f} "
                f"{s['recall']:>7.4f} {s['f1']:>7.4f} {s['wrong_pairs']:>6}"
            )
    for name in ("handwritten", "generated"):
        dup, cor = report[name]["duplicates"], report[name]["corrections"]
        lines.append(
            f"{name}: republications found {dup['found']}/{dup['republished_articles']}, "
            f"false duplicates {dup['false_duplicates']}; corrections as updates "
            f"{cor['detected_as_update']}/{cor['corrected_articles']}, "
            f"marked duplicate {cor['marked_duplicate']}"
        )
    return lines


def command(
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    quick: Annotated[
        bool, typer.Option("--quick", help=f"Hand-written + ~{QUICK_ARTICLES} generated articles.")
    ] = False,
    stories: Annotated[int, typer.Option(min=0, help="Generated stories to add.")] = 5000,
    seed: Annotated[int, typer.Option(help="Replica seed.")] = 1,
    no_images: Annotated[
        bool, typer.Option("--no-images", help="Ignore lead images (harder).")
    ] = False,
    jitter: Annotated[
        int,
        typer.Option(min=0, help="Move translations' publish times by up to this many minutes."),
    ] = 0,
    ntrex: Annotated[
        bool,
        typer.Option(
            "--ntrex", help="Score real text instead: the NTREX stories (needs the shared data)."
        ),
    ] = False,
    data: Annotated[
        Path | None,
        typer.Option("--shared-data", "--data-dir", help=SHARED_DATA_HELP, metavar="FOLDER"),
    ] = None,
) -> None:
    """Score story linking against the replica's ground truth."""
    if ntrex:
        _ntrex_command(json_out, seed, data)
        return
    report = evaluate(stories, seed, quick, with_images=not no_images, jitter_minutes=jitter)
    if json_out:
        typer.echo(json.dumps(report, indent=2, sort_keys=True))
        return
    for line in _lines(report):
        typer.echo(line)


def _ntrex_command(json_out: bool, seed: int, data: Path | None) -> None:
    """Print the NTREX report; a missing data folder is one line and exit code 2."""
    from unn_ingest.flows.evaluation.datasets import EvaluationDataError
    from unn_ingest.flows.evaluation.linking_ntrex import evaluate_ntrex, ntrex_lines

    try:
        report = evaluate_ntrex(data, seed=seed)
    except EvaluationDataError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if json_out:
        typer.echo(json.dumps(report, indent=2, sort_keys=True))
        return
    for line in ntrex_lines(report):
        typer.echo(line)
