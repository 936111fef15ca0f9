"""Extract any site's article with trafilatura: the generic path and the profile's fallback."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import trafilatura
from lxml import html

from extractors.alternates import EDITION_CODES, generic_edition_links
from extractors.metadata import parse_datetime, read_metadata
from extractors.normalize import normalize_text, split_lines
from extractors.records import ExtractedArticle

log = logging.getLogger(__name__)

UTC_ZONE = ZoneInfo("UTC")


def trafilatura_document(tree: html.HtmlElement, url: str, metadata: bool = False) -> Any:
    """Run trafilatura's extraction on a parsed tree (it copies it); None when nothing found."""
    return trafilatura.bare_extraction(
        tree, url=url, include_comments=False, with_metadata=metadata
    )


def trafilatura_paragraphs(tree: html.HtmlElement, url: str) -> tuple[str, ...]:
    """Return trafilatura's body paragraphs for the page, normalised; () when none."""
    document = trafilatura_document(tree, url)
    return split_lines(document.text) if document is not None else ()


def extract_generic(tree: html.HtmlElement, url: str, version: str) -> ExtractedArticle | None:
    """Extract an article of any site: trafilatura body, page and trafilatura metadata."""
    document = trafilatura_document(tree, url, metadata=True)
    paragraphs = split_lines(document.text) if document is not None else ()
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
        title=meta.title or _text(document.title),
        lead="",
        paragraphs=paragraphs,
        authors=meta.authors or _split_authors(document.author),
        rubric=meta.rubric or _first(document.categories),
        tags=meta.tags or tuple(document.tags or ()),
        image_url=meta.image_url or document.image,
        published_at=meta.published_at or parse_datetime(document.date, UTC_ZONE),
        modified_at=meta.modified_at,
        links=generic_edition_links(tree, url, edition or ""),
        extractor_version=version,
    )


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
