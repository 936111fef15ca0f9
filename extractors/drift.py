"""The drift alarm: how much of each page the site profile's own class names explained.

Every site page's extraction records who found its title, lead, body and switcher (the
profile's classes, or a fallback: page structure, metadata, Next.js data, trafilatura). A run
tallies those sources; when the profile's share of a part drops below the profile's
`drift_threshold`, the class names have drifted (unn.ua redeployed with new CSS-module
hashes or names), and the tally names the failed selectors and example URLs.
`suggest_prefixes` reads one page and proposes the class prefixes the profile should use now.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml import html

from unn_ingest.extractors.alternates import switcher_anchors
from unn_ingest.extractors.html_select import by_class_prefix
from unn_ingest.extractors.html_structure import (
    author_elements,
    body_container,
    lead_element,
    title_element,
)
from unn_ingest.extractors.metadata import meta_values
from unn_ingest.extractors.records import ExtractedArticle

# Part of a page -> the profile's css role whose selector should have found it.
PARTS = {"title": "title", "lead": "lead", "body": "body", "switcher": "switcher"}
EXAMPLE_URLS = 5
# Every field of a record the alarm watches; the profile's `field_floors` says which must be
# found on (nearly) every page. Below this many pages a run is too small to judge a field.
FIELDS = (
    "title", "lead", "body", "published_at", "modified_at", "authors", "rubric", "rubric_key",
    "tags", "image", "image_caption", "image_credit", "images", "sections",
)  # fmt: skip
MIN_PAGES_FOR_FIELDS = 20
# A CSS-module class: "<component>_<part>__<hash>", e.g. single-news-card_body__w0_Jb.
_MODULE_CLASS = re.compile(r"^(?P<prefix>[A-Za-z][\w-]*_[A-Za-z][\w-]*)__[\w-]{3,}$")

__all__ = [
    "FIELDS",
    "DriftTally",
    "PartDrift",
    "fields_present",
    "suggest_prefixes",
    "version_matches",
]


def fields_present(article: ExtractedArticle) -> tuple[str, ...]:
    """Return the names of the record's fields the page gave a value."""
    image = article.image
    values = {
        "title": article.title,
        "lead": article.lead,
        "body": article.paragraphs,
        "published_at": article.published_at,
        "modified_at": article.modified_at,
        "authors": article.authors,
        "rubric": article.rubric,
        "rubric_key": article.rubric_key,
        "tags": article.tags,
        "image": article.image_url,
        "image_caption": image.caption if image else "",
        "image_credit": image.credit if image else "",
        "images": article.images,
        "sections": article.sections,
    }
    return tuple(name for name in FIELDS if values[name])


@dataclass(frozen=True, slots=True)
class PartDrift:
    """One part's tally: pages the profile explained, pages a fallback did, example URLs."""

    part: str
    selector: str  # the profile's class prefix for the part ("" when it has none)
    by_profile: int
    by_fallback: int
    sources: dict[str, int]
    urls: tuple[str, ...]  # a few pages where a fallback found the part

    @property
    def share(self) -> float | None:
        """Return the profile's share of the pages that have the part, or None without any."""
        seen = self.by_profile + self.by_fallback
        return self.by_profile / seen if seen else None

    def as_dict(self) -> dict[str, object]:
        """Return the tally as JSON-ready data."""
        return {
            "selector": self.selector,
            "by_profile": self.by_profile,
            "by_fallback": self.by_fallback,
            "share": self.share,
            "sources": dict(sorted(self.sources.items())),
            "urls": list(self.urls),
        }


@dataclass
class DriftTally:
    """Who found each part over one run's pages; safe to update from several threads."""

    pages: int = 0
    _sources: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)
    _fields: dict[str, int] = field(default_factory=dict, repr=False)  # pages with each field
    _field_urls: dict[str, list[str]] = field(default_factory=dict, repr=False)  # ...without
    _versions: dict[str, int] = field(default_factory=dict, repr=False)  # profile versions used
    _field_pages: int = field(default=0, repr=False)  # pages whose fields were counted
    _urls: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(
        self,
        url: str,
        sources: Iterable[tuple[str, str]],
        present: Iterable[str] | None = None,
        version: str = "",
    ) -> None:
        """Count one extracted page's sources ("none" for a switcher: the page has none), the
        fields it gave (`fields_present`) and the profile version that read it."""
        found = dict(sources)
        if not found:
            return  # not a site page (generic path): nothing the profile could explain
        with self._lock:
            self.pages += 1
            if version:
                self._versions[version] = self._versions.get(version, 0) + 1
            if present is not None:
                self._field_pages += 1
                self._count_fields(url, set(present))
            for part in PARTS:
                source = found.get(part, "none")
                if part == "switcher" and source == "none":
                    continue
                counts = self._sources.setdefault(part, {})
                counts[source] = counts.get(source, 0) + 1
                urls = self._urls.setdefault(part, [])
                if source != "profile" and len(urls) < EXAMPLE_URLS:
                    urls.append(url)

    def _count_fields(self, url: str, present: set[str]) -> None:
        for name in FIELDS:
            if name in present:
                self._fields[name] = self._fields.get(name, 0) + 1
            else:
                urls = self._field_urls.setdefault(name, [])
                if len(urls) < EXAMPLE_URLS:
                    urls.append(url)

    def fields(self, floors: Mapping[str, float]) -> dict[str, dict[str, object]]:
        """Return, per field, the pages that gave it, its share, its floor and pages without."""
        with self._lock:
            observed = self._field_pages
            return {
                name: {
                    "found": (n := self._fields.get(name, 0)),
                    "share": n / observed if observed else None,
                    "floor": floors.get(name),
                    "urls": list(self._field_urls.get(name, ())),
                }
                for name in FIELDS
            }

    def fields_below(self, floors: Mapping[str, float]) -> list[str]:
        """Return the fields found on fewer pages than their floor (runs of 20+ pages)."""
        if self._field_pages < MIN_PAGES_FOR_FIELDS:
            return []
        return [
            name
            for name, tally in self.fields(floors).items()
            if name in floors and (tally["share"] or 0.0) < floors[name]  # type: ignore[operator]
        ]

    def parts(self, css: Mapping[str, str]) -> list[PartDrift]:
        """Return each part's tally, with the profile's selector for it."""
        with self._lock:
            return [
                PartDrift(
                    part,
                    css.get(role, ""),
                    (counts := dict(self._sources.get(part, {}))).get("profile", 0),
                    sum(n for source, n in counts.items() if source != "profile"),
                    counts,
                    tuple(self._urls.get(part, ())),
                )
                for part, role in PARTS.items()
            ]

    def drifted(self, css: Mapping[str, str], threshold: float) -> list[PartDrift]:
        """Return the parts whose profile share is below the threshold."""
        return [p for p in self.parts(css) if p.share is not None and p.share < threshold]

    def summary(
        self, css: Mapping[str, str], threshold: float, floors: Mapping[str, float] | None = None
    ) -> dict[str, object]:
        """Return the run's drift section: per-part tallies and the parts below threshold, per
        field the share of pages that gave it and the fields below their floor, and the
        profile versions that read the pages."""
        floors = floors or {}
        with self._lock:
            versions = dict(sorted(self._versions.items()))
        return {
            "pages": self.pages,
            "threshold": threshold,
            "parts": {p.part: p.as_dict() for p in self.parts(css)},
            "drifted": [p.part for p in self.drifted(css, threshold)],
            "fields": self.fields(floors) if self._field_pages else {},
            "fields_below": self.fields_below(floors),
            "versions": versions,
        }


def suggest_prefixes(tree: html.HtmlElement, css: Mapping[str, str]) -> dict[str, list[str]]:
    """Return, for each part the profile's class misses on this page, candidate new prefixes.

    The part is found by structure (h1, the og:description element, the densest paragraph
    block, the switcher anchors' list, author links) and its CSS-module classes and those of
    its nearest ancestors are offered, closest first.
    """
    description = next(iter(meta_values(tree).get("og:description", [])), None)
    anchors, _ = switcher_anchors(tree, css.get("switcher"))
    authors = author_elements(tree)
    found = {
        "title": title_element(tree),
        "lead": lead_element(tree, description),
        "body": body_container(tree),
        "switcher": anchors[0].getparent() if anchors else None,
        "author": authors[0] if authors else None,
    }
    suggestions: dict[str, list[str]] = {}
    for role, element in found.items():
        if element is None or by_class_prefix(tree, css.get(role)):
            continue
        prefixes = _module_prefixes(element)
        if prefixes:
            suggestions[role] = prefixes
    return suggestions


def _module_prefixes(element: html.HtmlElement, levels: int = 3) -> list[str]:
    found: list[str] = []
    for node in [element, *list(element.iterancestors())[: levels - 1]]:
        for token in (node.get("class") or "").split():
            match = _MODULE_CLASS.match(token)
            if match and match["prefix"] not in found:
                found.append(match["prefix"])
    return found


def version_matches(
    tree: html.HtmlElement, versions: Iterable[tuple[str, Mapping[str, str]]]
) -> list[tuple[str, int, int]]:
    """Return, per profile version (name, css), how many of its class prefixes the page has."""
    return [
        (name, sum(1 for prefix in css.values() if by_class_prefix(tree, prefix)), len(css))
        for name, css in versions
    ]
