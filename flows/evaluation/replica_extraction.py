"""Score the UNN profile path on the replica's pages, in both layouts, beside bare trafilatura.

Four variants: layout a with the shipped profile (full and AMP pages), layout b with the
shipped profile, and each layout with a profile whose class names match nothing (full pages),
so that everything there rests on the page's structure (on layout a, the author is then a
bare name after the body in a block of a class the profile does not know). Each is scored on
lead + body (word 4-grams) against the replica's truth, with exact-match rates for title,
lead, publish time, author and (AMP) rubric, the share of editions with a switcher or
hreflang that the page's explicit links join to every other visible edition of their story,
and every field around the text (flows.evaluation.fields).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import trafilatura

from unn_ingest.config.profiles import load_profile
from unn_ingest.extractors.article import extract_article
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import ExtractedArticle
from unn_ingest.extractors.scoring import score_corpus, score_page
from unn_ingest.flows.evaluation.fields import BARE, OURS, FieldRates, bare_metadata, score_fields

FETCHED_AT = datetime(2025, 11, 20, tzinfo=UTC)
QUICK_REPLICA_ARTICLES = 120
EXPLICIT_VARIANTS = ("hreflang", "switcher")

__all__ = ["VARIANTS", "ReplicaVariant", "VariantResult", "evaluate_variant", "no_match_profile"]


@dataclass(frozen=True, slots=True)
class ReplicaVariant:
    """One replica evaluation: a layout, which profile, whether AMP pages are included."""

    dataset: str
    layout: str
    no_match: bool = False
    amp: bool = True


VARIANTS = (
    ReplicaVariant("replica", "a"),
    ReplicaVariant("replica-b", "b", amp=False),
    ReplicaVariant("replica-b-nomatch", "b", no_match=True, amp=False),
    ReplicaVariant("replica-nomatch", "a", no_match=True, amp=False),
)


@dataclass(frozen=True, slots=True)
class VariantResult:
    """What one variant measured: corpus scores of ours and bare trafilatura, and rates."""

    pages: int
    ours: tuple[float, float, float, float]  # precision, recall, F1, seconds
    bare: tuple[float, float, float, float]
    rates: dict[str, float | None]  # title, lead, time, author, rubric (None: no AMP), links
    counts: dict[str, int]  # pages behind each rate's denominator
    fields: list[FieldRates] = field(default_factory=list)  # ours and bare metadata, per kind


Extracted = tuple[dict[str, Any], bool, ExtractedArticle | None]  # truth item, is AMP, result


def no_match_profile(profile: SiteProfile) -> SiteProfile:
    """Return the profile with every class name replaced by one no page carries."""
    return replace(profile, css={role: f"no-such-{role}-x9" for role in profile.css})


def evaluate_variant(variant: ReplicaVariant, quick: bool = False) -> VariantResult:
    """Render one variant's pages in-process, extract them and score them against the truth."""
    from unn_ingest.replica.testing import make_site  # the replica is needed here only

    site = make_site(layout=variant.layout)
    truth = site.truth()
    items = truth["articles"][:QUICK_REPLICA_ARTICLES] if quick else truth["articles"]
    profile = load_profile("unn", origin=truth["origin"])
    if variant.no_match:
        profile = no_match_profile(profile)
    pages = [(item, amp) for item in items for amp in ((False, True) if variant.amp else (False,))]
    bodies = {amp: {} for amp in (False, True)}  # type: dict[bool, dict[str, bytes]]
    for item, amp in pages:
        url = item["amp_url" if amp else "url"]
        bodies[amp][url] = site.render(urlsplit(url).path).body
    started = time.perf_counter()
    results: list[Extracted] = [
        (item, amp, _extract(url := item["amp_url" if amp else "url"], bodies[amp][url], profile))
        for item, amp in pages
    ]
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    bare = [
        trafilatura.extract(bodies[amp][item["amp_url" if amp else "url"]]) or ""
        for item, amp in pages
    ]
    bare_seconds = time.perf_counter() - started
    ours = _corpus(((_text(a), i) for i, _, a in results), ours_seconds)
    base = _corpus(((t, i) for t, (i, _) in zip(bare, pages, strict=True)), bare_seconds)
    rates, counts = _rates(results, truth["articles"])
    fields = _field_rates(variant, results, bodies)
    return VariantResult(len(pages), ours, base, rates, counts, fields)


def _field_rates(
    variant: ReplicaVariant, results: list[Extracted], bodies: dict[bool, dict[str, bytes]]
) -> list[FieldRates]:
    """Score every field on full pages and (apart) on AMP pages, ours beside bare metadata."""
    found = []
    for amp, dataset in ((False, variant.dataset), (True, f"{variant.dataset}-amp")):
        chosen = [(i, a) for i, is_amp, a in results if is_amp == amp]
        if not chosen:
            continue
        found.append(score_fields(dataset, OURS, ((i, a, amp) for i, a in chosen)))
        if not variant.no_match:  # the same pages as the shipped profile's: same baseline
            key = "amp_url" if amp else "url"
            bare = ((i, bare_metadata(bodies[amp][i[key]], i[key]), amp) for i, _ in chosen)
            found.append(score_fields(dataset, BARE, bare))
    return found


def _extract(url: str, body: bytes, profile: SiteProfile) -> ExtractedArticle | None:
    page = FetchedPage(url, url, 200, {"content-type": "text/html"}, body, FETCHED_AT)
    return extract_article(page, profile)


def _text(article: ExtractedArticle | None) -> str:
    return "\n\n".join((article.lead, article.body)) if article is not None else ""


def _corpus(
    texts: Iterable[tuple[str, dict[str, Any]]], seconds: float
) -> tuple[float, float, float, float]:
    scores = score_corpus(score_page(t, "\n\n".join([i["lead"], *i["body"]])) for t, i in texts)
    return scores.precision, scores.recall, scores.f1, seconds


def _rates(
    results: list[Extracted], everything: list[dict[str, Any]]
) -> tuple[dict[str, float | None], dict[str, int]]:
    """Return exact-match rates (a missing article is a miss) and their denominators."""

    def rate(
        check: Callable[[dict[str, Any], ExtractedArticle], bool], amp_only: bool
    ) -> float | None:
        chosen = [(i, a) for i, amp, a in results if amp or not amp_only]
        hits = [a is not None and check(i, a) for i, a in chosen]
        return sum(hits) / len(hits) if hits else None  # None: no such page in this variant

    explicit = _explicit_pages(results, everything)
    joined = [_joined(expected, article) for expected, article in explicit]
    rates = {
        "title": rate(lambda i, a: a.title == i["title"], False),
        "lead": rate(lambda i, a: a.lead == i["lead"], False),
        "published_at": rate(lambda i, a: _iso(a.published_at) == i["published_at"], False),
        "author": rate(lambda i, a: list(a.authors) == [i["author"]], False),
        "rubric": rate(lambda i, a: a.rubric == i["rubric"], True),
        "links_joined": sum(joined) / len(joined) if joined else None,
    }
    counts = {"pages": len(results), "amp": sum(amp for _, amp, _ in results)}
    counts["explicit_links"] = len(joined)
    return rates, counts


def _explicit_pages(
    results: list[Extracted], everything: list[dict[str, Any]]
) -> list[tuple[set[str], ExtractedArticle | None]]:
    """Return (other editions' URLs, extraction) for full pages that link their editions."""
    by_story: dict[str, set[str]] = {}
    for item in everything:
        by_story.setdefault(item["story_id"], set()).add(item["url"])
    chosen = []
    for item, amp, article in results:
        others = by_story[item["story_id"]] - {item["url"]}
        if not amp and item["link_variant"] in EXPLICIT_VARIANTS and others:
            chosen.append((others, article))
    return chosen


def _joined(expected: set[str], article: ExtractedArticle | None) -> bool:
    # Joined: every other visible edition is linked, and nothing else is.
    return article is not None and {link.url for link in article.links} == expected


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None
