"""Extract any site's article with trafilatura: the generic path and the profile's fallback.

trafilatura is imported on first use (0.2 s of CPU): most site pages never need it.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from lxml import html

from unn_ingest.extractors.alternates import EDITION_CODES, generic_edition_links
from unn_ingest.extractors.metadata import parse_datetime, read_metadata
from unn_ingest.extractors.normalize import normalize_text, split_lines
from unn_ingest.extractors.page_fields import linked_tags
from unn_ingest.extractors.profile import TAG_PATH_PATTERN
from unn_ingest.extractors.records import ExtractedArticle

log = logging.getLogger(__name__)

# A dropped line at least this long that ends like a sentence is article text, not furniture.
PROSE_LINE = 80
_SENTENCE_END = re.compile(r"[.!?…\"”’»)]\s*$")

UTC_ZONE = ZoneInfo("UTC")


def trafilatura_text(tree: html.HtmlElement, url: str) -> str:
    """Return trafilatura's body text, choosing its precision mode when that drops no prose."""
    base = _extract(tree, url, fast=True)
    strict = _extract(tree, url, favor_precision=True)
    if not base:
        return strict or _extract(tree, url)
    # Precision mode should only remove furniture; longer output means it chose another block.
    if strict and len(strict) <= len(base) and not _drops_prose(base, strict):
        return strict
    return base


def _extract(
    tree: html.HtmlElement, url: str, fast: bool = False, favor_precision: bool = False
) -> str:
    import trafilatura

    # trafilatura copies a tree it is given, so one parse serves every mode.
    text = trafilatura.extract(
        tree, url=url, include_comments=False, fast=fast, favor_precision=favor_precision
    )
    return text or ""


def _drops_prose(base: str, strict: str) -> bool:
    """Tell whether the stricter text lost a body line that reads like article prose."""
    kept = set(strict.splitlines())
    lines = base.splitlines()
    # What comes before the first kept line is the page's header (title, standfirst).
    first = next((i for i, line in enumerate(lines) if line in kept), len(lines))
    return any(
        len(line) >= PROSE_LINE and not line.startswith("- ") and _SENTENCE_END.search(line)
        for line in lines[first:]
        if line not in kept
    )


def trafilatura_paragraphs(tree: html.HtmlElement, url: str) -> tuple[str, ...]:
    """Return the generic body paragraphs for the page, normalised; () when none."""
    return split_lines(trafilatura_text(tree, url))


def extract_generic(tree: html.HtmlElement, url: str, version: str) -> ExtractedArticle | None:
    """Extract an article of any site: trafilatura body, page and trafilatura metadata."""
    # trafilatura's own metadata (htmldate) would double the cost; the page's tags suffice.
    paragraphs = trafilatura_paragraphs(tree, url)
    if not paragraphs:
        log.info("trafilatura found no article text in %s", url)
        return None
    meta = read_metadata(tree, url, UTC_ZONE)
    edition = meta.language if meta.language in EDITION_CODES else ""
    canonical = meta.canonical_url or url
    return ExtractedArticle(
        url=canonical,
        edition=edition or "",
        slug=_last_segment(canonical),
        title=meta.title or "",
        lead="",
        paragraphs=paragraphs,
        authors=meta.authors,
        rubric=meta.rubric,
        tags=meta.tags or linked_tags(tree, TAG_PATH_PATTERN),
        image_url=meta.image_url,
        published_at=meta.published_at or page_date(tree, url),
        modified_at=meta.modified_at,
        links=generic_edition_links(tree, url, edition or ""),
        extractor_version=version,
    )


def page_date(tree: html.HtmlElement, url: str) -> datetime | None:
    """Return the first <time datetime> of the page, else trafilatura's (htmldate's) date."""
    for element in tree.iter("time"):
        found = parse_datetime(element.get("datetime"), UTC_ZONE)
        if found is not None:
            return found
    import trafilatura

    # Only pages without date tags pay for htmldate; it may prune the tree, so give it a copy.
    document = trafilatura.extract_metadata(deepcopy(tree), default_url=url, extensive=False)
    return parse_datetime(document.date, UTC_ZONE) if document is not None else None


def _text(value: object) -> str:
    return normalize_text(value) if isinstance(value, str) else ""


def _split_authors(value: object) -> tuple[str, ...]:
    if not isinstance(value, str):
        return ()
    return tuple(a for a in (normalize_text(p) for p in value.split(";")) if a)


def _first(values: object) -> str | None:
    if isinstance(values, list) and values and isinstance(values[0], str):
        return normalize_text(values[0]) or None
    return None


def _last_segment(url: str) -> str:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return segments[-1] if segments else ""
