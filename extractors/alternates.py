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


# Labels a language switcher shows for each edition (lower-cased).
EDITION_LABELS = {
    "uk": ("uk", "ua", "укр", "ukr", "українська", "ukrainian"),
    "en": ("en", "eng", "english", "англ"),
    "ru": ("ru", "rus", "рус", "русский", "russian"),
}
_LABELS = {label: code for code, labels in EDITION_LABELS.items() for label in labels}


def site_edition_links(
    tree: html.HtmlElement, page_url: str, edition: str, profile: SiteProfile
) -> tuple[EditionLink, ...]:
    """Return links to other editions' articles from hreflang and the page's switcher."""
    return edition_links(tree, page_url, edition, profile)[0]


def edition_links(
    tree: html.HtmlElement, page_url: str, edition: str, profile: SiteProfile
) -> tuple[tuple[EditionLink, ...], str]:
    """Return the edition links and who found the switcher: profile, structure or none.

    hreflang alternates come first; then the switcher: the profile's class when it matches,
    else every anchor carrying `hreflang`, else a group of anchors labelled with edition codes.
    """
    candidates = [(url, "hreflang") for _, url in hreflang_alternates(tree, page_url)]
    anchors, source = switcher_anchors(tree, profile.css.get("switcher"))
    for anchor in anchors:
        href = (anchor.get("href") or "").strip()
        if href:
            candidates.append((urljoin(page_url, href), "switcher"))
    links: dict[tuple[str, str], EditionLink] = {}
    for url, method in candidates:
        link = _site_link(url, method, page_url, edition, profile)
        if link is not None:
            links.setdefault((link.edition, link.url), link)  # hreflang came first: it wins
    return tuple(links.values()), source


def switcher_anchors(
    tree: html.HtmlElement, switcher_prefix: str | None
) -> tuple[list[html.HtmlElement], str]:
    """Return the switcher's anchors and how they were found ("profile", "structure", "none")."""
    boxes = by_class_prefix(tree, switcher_prefix)
    if boxes:
        return [a for box in boxes for a in box.iter("a")], "profile"
    tagged = [a for a in tree.iter("a") if (a.get("hreflang") or "").strip()]
    if tagged:
        return tagged, "structure"
    labelled = _labelled_group(tree)
    return labelled, "structure" if labelled else "none"


def _labelled_group(tree: html.HtmlElement) -> list[html.HtmlElement]:
    """Return the first group of sibling anchors labelled with two or more edition codes."""
    for parent in tree.iter():
        anchors = [a for a in parent if a.tag == "a" or _wraps_anchor(a)]
        codes = {_LABELS.get(_label(a)) for a in anchors} - {None}
        if len(codes) >= 2:
            return [
                a if a.tag == "a" else next(a.iter("a")) for a in anchors if _label(a) in _LABELS
            ]
    return []


def _wraps_anchor(element: html.HtmlElement) -> bool:
    # <li><a>en</a></li>: the anchor one level down counts as the item.
    return element.tag == "li" and next(element.iter("a"), None) is not None


def _label(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split()).casefold()


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
