"""Extract one fetched page into an `ExtractedArticle`: the site-profile path or the generic one.

The page is decoded and parsed once. On a page of the profiled site the profile's selectors
give title, lead and body, and the metadata comes from the page's own tags, so trafilatura
runs only when the selectors find no body (a changed layout). Any other page goes through
trafilatura. "Nothing usable" is a None and a log line, never an exception.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from lxml import html

from unn_ingest.extractors.alternates import edition_links
from unn_ingest.extractors.article_content import choose_content
from unn_ingest.extractors.html_decode import decode_body, parse_html
from unn_ingest.extractors.html_generic import extract_generic
from unn_ingest.extractors.html_profile import SelectedContent
from unn_ingest.extractors.html_select import by_class_prefix
from unn_ingest.extractors.metadata import PageMetadata, parse_datetime, read_metadata
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.page_fields import read_page_fields
from unn_ingest.extractors.page_media import body_sections
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import ExtractedArticle
from unn_ingest.extractors.urls import ArticleKey, article_key, article_url

log = logging.getLogger(__name__)

EXTRACTOR_VERSION = "2026.12.07-1"

__all__ = ["EXTRACTOR_VERSION", "extract_article"]


def extract_article(
    page: FetchedPage, profile: SiteProfile | None = None, strict: bool = False
) -> ExtractedArticle | None:
    """Extract the article on a fetched page; None (and a log line) when nothing usable.

    `strict`: an extractor crash raises (for callers that record its reason) instead of None.
    """
    url = page.final_url or page.url
    if not 200 <= page.status < 300 or not page.body:
        log.info("no article in %s: status %s, %d bytes", url, page.status, len(page.body))
        return None
    try:
        tree = parse_html(decode_body(page))
        if tree is None:
            log.info("no HTML in %s", url)
            return None
        if profile is not None and _on_site(url, profile):
            if _truncated(page.body, tree, profile):
                log.info("page %s is cut short (no footer, no </html>); not extracted", url)
                return None
            return _extract_profiled(tree, url, profile)
        return extract_generic(tree, url, EXTRACTOR_VERSION)
    except Exception:  # one bad page must not stop a batch; the log keeps the traceback
        if strict:
            raise
        log.exception("extraction failed for %s", url)
        return None


def _truncated(body: bytes, tree: html.HtmlElement, profile: SiteProfile) -> bool:
    """Tell whether a site page lost its end: half an article must not pass as the article."""
    if b"</html" in body[-4096:].lower():
        return False
    return next(tree.iter("footer"), None) is None and not by_class_prefix(
        tree, profile.css.get("footer")
    )


def _on_site(url: str, profile: SiteProfile) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in profile.allowed_hosts


def _extract_profiled(
    tree: html.HtmlElement, url: str, profile: SiteProfile
) -> ExtractedArticle | None:
    key = article_key(url, profile)
    if key is None:
        log.info("not an article URL of %s: %s", profile.name, url)
        return None
    tz = ZoneInfo(profile.time_zone)
    meta = read_metadata(tree, url, tz, profile.css)
    content, warnings = _content(tree, url, profile, meta)
    if not content.paragraphs:
        log.info("no article text in %s", url)
        return None
    links, switcher = edition_links(tree, url, key.edition, profile)
    fields = read_page_fields(tree, url, meta, content, profile)
    return ExtractedArticle(
        url=_canonical(meta, key, profile),
        edition=key.edition,
        slug=key.slug,
        title=content.title,
        lead=content.lead,
        paragraphs=content.paragraphs,
        authors=fields.authors,
        rubric=fields.rubric.name,
        tags=fields.tags,
        image_url=fields.image.url if fields.image else None,
        published_at=meta.published_at or parse_datetime(content.time_value, tz),
        modified_at=meta.modified_at or parse_datetime(fields.updated, tz),
        links=links,
        extractor_version=EXTRACTOR_VERSION,
        warnings=meta.warnings + warnings,
        sources=(*content.sources, ("switcher", switcher), *fields.sources),
        rubric_key=fields.rubric.key,
        image=fields.image,
        images=fields.images,
        sections=body_sections(content.body_element, content.paragraphs, profile),
        profile_version=profile.version,
    )


_WARNINGS = {
    "structure": "body from page structure",
    "next-data": "body from __NEXT_DATA__",
    "trafilatura": "body from trafilatura",
}


def _content(
    tree: html.HtmlElement, url: str, profile: SiteProfile, meta: PageMetadata
) -> tuple[SelectedContent, tuple[str, ...]]:
    """Return the chosen content and a warning naming the fallback that found the body."""
    content = choose_content(tree, url, profile, meta)
    warning = _WARNINGS.get(content.source("body"))
    return content, (warning,) if warning else ()


def _canonical(meta: PageMetadata, key: ArticleKey, profile: SiteProfile) -> str:
    """Return the declared canonical URL when it names this article's full page, else build it."""
    if meta.canonical_url:
        declared = article_key(meta.canonical_url, profile)
        if declared == ArticleKey(key.edition, key.slug):
            parts = urlsplit(meta.canonical_url)
            return f"{parts.scheme}://{parts.netloc}{parts.path}"
    return article_url(ArticleKey(key.edition, key.slug), profile)
