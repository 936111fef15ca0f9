"""Score the fields around the text (authors, rubric, tags, images, times, sections) exactly.

Each data set is scored twice in the same run: our extraction, and bare trafilatura's own
metadata (`trafilatura.extract_metadata`) as the baseline. A field a page does not show (tags
and credits on AMP pages) or a method does not offer (trafilatura has no rubric key, caption,
modified time or sections) is None, not a miss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import trafilatura

from unn_ingest.extractors.records import ExtractedArticle

OURS = "unn-ingest"
BARE = "bare trafilatura metadata"
FIELDS = (
    "title", "authors", "rubric", "rubric_key", "tags", "image", "image_caption",
    "published_at", "modified_at", "sections",
)  # fmt: skip
FULL_PAGE_ONLY = frozenset({"tags", "modified_at"})  # AMP pages show neither
KYIV = ZoneInfo("Europe/Kyiv")

__all__ = ["BARE", "FIELDS", "OURS", "FieldRates", "bare_metadata", "score_fields"]

Check = Callable[[dict[str, Any], Any, bool], bool | None]  # truth, result, AMP -> hit


@dataclass(frozen=True, slots=True)
class FieldRates:
    """Exact-match rates of one method's fields on one data set (None: not scored)."""

    dataset: str
    method: str
    pages: int
    rates: dict[str, float | None] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # pages behind each rate


def score_fields(
    dataset: str, method: str, pages: Iterable[tuple[dict[str, Any], Any, bool]]
) -> FieldRates:
    """Score (truth, result, is AMP) triples: ours if results are articles, else bare's."""
    chosen = list(pages)
    checks = _OURS_CHECKS if method == OURS else _BARE_CHECKS
    rates: dict[str, float | None] = {}
    counts: dict[str, int] = {}
    for name in FIELDS:
        hits = [
            hit
            for truth, result, amp in chosen
            if not (amp and name in FULL_PAGE_ONLY)
            and (hit := _hit(name, checks.get(name), truth, result, amp)) is not None
        ]
        rates[name] = sum(hits) / len(hits) if hits else None
        counts[name] = len(hits)
    return FieldRates(dataset, method, len(chosen), rates, counts)


def _hit(
    name: str, check: Check | None, truth: dict[str, Any], result: Any, amp: bool
) -> bool | None:
    if check is None or not any(key in truth for key in _TRUTH_KEYS[name]):
        return None  # the method does not offer the field, or the truth does not say
    if result is None:
        return False  # nothing extracted: every field missed
    return check(truth, result, amp)


def bare_metadata(html: bytes, url: str) -> Any:
    """Return trafilatura's own metadata of a page (its Document), or None."""
    return trafilatura.extract_metadata(html.decode("utf-8", "replace"), default_url=url)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _sections(article: ExtractedArticle) -> list[dict[str, Any]]:
    return [{"subhead": s.subhead, "paragraphs": list(s.paragraphs)} for s in article.sections]


def _caption(truth: dict[str, Any], a: ExtractedArticle, amp: bool) -> bool:
    image, wanted = a.image, truth["image"]
    if image is None:
        return False
    return image.caption == wanted["caption"] and (amp or image.credit == wanted["credit"])


def _authors_of(truth: dict[str, Any]) -> list[str]:
    return list(truth["authors"]) if "authors" in truth else [truth["author"]]


_OURS_CHECKS: dict[str, Check] = {
    "title": lambda t, a, _: a.title == t["title"],
    "authors": lambda t, a, _: list(a.authors) == _authors_of(t),
    "rubric": lambda t, a, _: a.rubric == t["rubric"],
    "rubric_key": lambda t, a, _: a.rubric_key == t["rubric_key"],
    "tags": lambda t, a, _: list(a.tags) == t["tags"],
    "image": lambda t, a, _: a.image_url == t["image"]["url"],
    "image_caption": _caption,
    "published_at": lambda t, a, _: _iso(a.published_at) == t["published_at"],
    "modified_at": lambda t, a, _: _iso(a.modified_at) == t["modified_at"],
    "sections": lambda t, a, _: _sections(a) == t["sections"],
}


def _bare_date(truth: dict[str, Any], d: Any, _: bool) -> bool:
    # trafilatura gives a day only: scored on the site's local date (generous to it).
    moment = datetime.fromisoformat(truth["published_at"].replace("Z", "+00:00"))
    return bool(d.date) and d.date == moment.astimezone(KYIV).date().isoformat()


_BARE_CHECKS: dict[str, Check] = {
    "title": lambda t, d, _: d.title == t["title"],
    "authors": lambda t, d, _: (
        [a.strip() for a in (d.author or "").split(";") if a.strip()] == _authors_of(t)
    ),
    "rubric": lambda t, d, _: (d.categories or [None])[0] == t["rubric"],
    "tags": lambda t, d, _: list(d.tags or []) == t["tags"],
    "image": lambda t, d, _: d.image == t["image"]["url"],
    "published_at": _bare_date,
}
# A truth item without any of these keys does not score the field (Pravda: no rubric, ...).
_TRUTH_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "authors": ("authors", "author"),
    "rubric": ("rubric",),
    "rubric_key": ("rubric_key",),
    "tags": ("tags",),
    "image": ("image",),
    "image_caption": ("image",),
    "published_at": ("published_at",),
    "modified_at": ("modified_at",),
    "sections": ("sections",),
}
