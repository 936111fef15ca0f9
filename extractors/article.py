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

from unn_ingest.extractors.alternates import site_edition_links
from unn_ingest.extractors.boilerplate import drop_furniture
from unn_ingest.extractors.html_decode import decode_body, parse_html
from unn_ingest.extractors.html_generic import extract_generic, trafilatura_paragraphs
from unn_ingest.extractors.html_profile import (
    FURNITURE_ROLES,
    SelectedContent,
    select_content,
    walk_blocks,
    without_furniture,
)
from unn_ingest.extractors.html_select import by_class_prefix
from unn_ingest.extractors.metadata import (
    PageMetadata,
    next_data_article,
    parse_datetime,
    read_metadata,
)
from unn_ingest.extractors.normalize import normalize_paragraphs, normalize_text
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import ExtractedArticle
from unn_ingest.extractors.urls import ArticleKey, article_key, article_url

log = logging.getLogger(__name__)

EXTRACTOR_VERSION = "2026.11.28-1"

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
    return ExtractedArticle(
        url=_canonical(meta, key, profile),
        edition=key.edition,
        slug=key.slug,
        title=content.title or meta.title or "",
        lead=content.lead,
        paragraphs=content.paragraphs,
        authors=meta.authors,
        rubric=meta.rubric,
        tags=meta.tags,
        image_url=meta.image_url,
        published_at=meta.published_at or parse_datetime(content.time_value, tz),
        modified_at=meta.modified_at,
        links=site_edition_links(tree, url, key.edition, profile),
        extractor_version=EXTRACTOR_VERSION,
        warnings=meta.warnings + warnings,
    )


def _content(
    tree: html.HtmlElement, url: str, profile: SiteProfile, meta: PageMetadata
) -> tuple[SelectedContent, tuple[str, ...]]:
    """Return the selected content, falling back to __NEXT_DATA__ and then trafilatura."""
    selected = select_content(tree, profile)
    if selected.paragraphs:
        return selected, ()
    from_data = _next_data_content(tree, profile, selected)
    if from_data is not None:
        return from_data, ("body from __NEXT_DATA__",)
    log.info("profile selectors found no body in %s; using trafilatura", url)
    return _trafilatura_content(tree, url, profile, meta, selected), ("body from trafilatura",)


def _next_data_content(
    tree: html.HtmlElement, profile: SiteProfile, selected: SelectedContent
) -> SelectedContent | None:
    data = next_data_article(tree)
    body = data.get("body")
    paragraphs = _html_fragment_blocks(body, profile) if isinstance(body, str) else ()
    if not paragraphs:
        return None
    lead = selected.lead or normalize_text(str(data.get("lead") or ""))
    title = selected.title or normalize_text(str(data.get("title") or ""))
    return SelectedContent(title, lead, paragraphs, selected.time_value)


def _trafilatura_content(
    tree: html.HtmlElement,
    url: str,
    profile: SiteProfile,
    meta: PageMetadata,
    selected: SelectedContent,
) -> SelectedContent:
    # Without the furniture the generic extractor cannot mistake the widgets for the body.
    found = trafilatura_paragraphs(without_furniture(tree, profile), url)
    lead = selected.lead or meta.description or ""
    title = selected.title or meta.title or ""
    paragraphs = _without_repeats(drop_furniture(found, profile), (title, lead))
    return SelectedContent(title, lead, paragraphs, selected.time_value)


def _html_fragment_blocks(fragment: str, profile: SiteProfile) -> tuple[str, ...]:
    if not fragment.strip():
        return ()
    root = html.fragment_fromstring(fragment, create_parent="div")
    furniture = tuple(profile.css[r] for r in FURNITURE_ROLES if r in profile.css)
    blocks: list[str] = []
    walk_blocks(root, furniture, blocks)
    return drop_furniture(normalize_paragraphs(blocks), profile)


def _without_repeats(paragraphs: tuple[str, ...], known: tuple[str, ...]) -> tuple[str, ...]:
    # trafilatura's body often starts with the title or lead we already hold separately.
    seen = {k for k in known if k}
    return tuple(p for p in paragraphs if p not in seen)


def _canonical(meta: PageMetadata, key: ArticleKey, profile: SiteProfile) -> str:
    """Return the declared canonical URL when it names this article's full page, else build it."""
    if meta.canonical_url:
        declared = article_key(meta.canonical_url, profile)
        if declared == ArticleKey(key.edition, key.slug):
            parts = urlsplit(meta.canonical_url)
            return f"{parts.scheme}://{parts.netloc}{parts.path}"
    return article_url(ArticleKey(key.edition, key.slug), profile)
