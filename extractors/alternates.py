"""Find a page's explicit pointers to other editions of its story: hreflang and switcher.

Only links to ARTICLE pages of another edition count. A switcher anchor to an edition's home
page, an `x-default` alternate, a link to another host or back to the page's own edition says
nothing about which article is the translation, so it is dropped.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml import html

from unn_ingest.extractors.html_select import by_class_prefix
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import EditionLink
from unn_ingest.extractors.urls import article_key, article_url

EDITION_CODES = ("uk", "en", "ru")


def hreflang_alternates(tree: html.HtmlElement, page_url: str) -> list[tuple[str, str]]:
    """Return (language code, absolute URL) for each hreflang alternate, x-default excluded."""
    found: list[tuple[str, str]] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        code = (link.get("hreflang") or "").strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or not code or not href or code == "x-default":
            continue
        found.append((code.replace("_", "-").split("-")[0], urljoin(page_url, href)))
    return found


def site_edition_links(
    tree: html.HtmlElement, page_url: str, edition: str, profile: SiteProfile
) -> tuple[EditionLink, ...]:
    """Return links to other editions' articles from hreflang and the site's switcher."""
    candidates = [(url, "hreflang") for _, url in hreflang_alternates(tree, page_url)]
    for switcher in by_class_prefix(tree, profile.css.get("switcher")):
        for anchor in switcher.iter("a"):
            href = (anchor.get("href") or "").strip()
            if href:
                candidates.append((urljoin(page_url, href), "switcher"))
    links: dict[tuple[str, str], EditionLink] = {}
    for url, method in candidates:
        link = _site_link(url, method, page_url, edition, profile)
        if link is not None:
            links.setdefault((link.edition, link.url), link)  # hreflang came first: it wins
    return tuple(links.values())


def _site_link(
    url: str, method: str, page_url: str, edition: str, profile: SiteProfile
) -> EditionLink | None:
    if not _same_site(url, page_url, profile.allowed_hosts):
        return None
    key = article_key(url, profile)
    if key is None or key.edition == edition:
        return None
    parts = urlsplit(url)
    full = article_url(key, profile) if key.amp else f"{parts.scheme}://{parts.netloc}{parts.path}"
    return EditionLink(edition=key.edition, url=full, method=method)


def generic_edition_links(
    tree: html.HtmlElement, page_url: str, edition: str
) -> tuple[EditionLink, ...]:
    """Return hreflang links to uk/en/ru editions on the page's own host (no site profile)."""
    links: dict[tuple[str, str], EditionLink] = {}
    own = page_url.split("#")[0]
    for code, url in hreflang_alternates(tree, page_url):
        if code not in EDITION_CODES or code == edition or url.split("#")[0] == own:
            continue
        if _same_site(url, page_url, ()):
            links.setdefault((code, url), EditionLink(edition=code, url=url, method="hreflang"))
    return tuple(links.values())


def _same_site(url: str, page_url: str, allowed: tuple[str, ...]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    page_host = (urlsplit(page_url).hostname or "").lower()
    return bool(host) and (host == page_host or host in allowed)
