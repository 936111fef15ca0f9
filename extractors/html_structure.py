"""Find an article's title, lead, body and author from the page's structure, not its classes.

The second choice after the site profile's class names, for when a redeploy renamed them: the
title is the first <h1> (else `og:title`), the lead the element whose text is the page's
`og:description`, the body the element holding the most paragraph text in its own <p>, <h2>..
<h4> and <blockquote> children (outside header, nav, aside and footer), the author a link to an
author page or an element marked `rel`/`itemprop` author.
"""

from __future__ import annotations

import re

from lxml import html

from unn_ingest.extractors.html_select import element_text
from unn_ingest.extractors.normalize import normalize_text
from unn_ingest.extractors.urls import url_path

_PARAGRAPH_TAGS = frozenset({"p", "h2", "h3", "h4", "blockquote"})
_OUTSIDE = frozenset({"header", "nav", "aside", "footer", "form", "figure"})
_BYLINE_CHROME = frozenset({"nav", "aside", "footer", "form"})
_LEAD_TAGS = frozenset({"p", "div", "h2", "strong", "span"})
_AUTHOR_PATH = re.compile(r"/(?:authors?|avtor|avtory)/[^/]+/?$", re.IGNORECASE)
# A paragraph whose text is mostly its links is a list of links, not prose.
_LINK_SHARE = 0.6

__all__ = [
    "author_elements",
    "body_container",
    "is_author_link",
    "lead_element",
    "structural_author",
    "structural_lead",
    "structural_title",
    "title_element",
]


def title_element(tree: html.HtmlElement) -> html.HtmlElement | None:
    """Return the page's first non-empty <h1> outside the chrome, or None."""
    for h1 in tree.iter("h1"):
        if not _inside_chrome(h1) and normalize_text(element_text(h1)):
            return h1
    return None


def structural_title(tree: html.HtmlElement) -> str:
    """Return the text of the page's first <h1>, or ""."""
    found = title_element(tree)
    return normalize_text(element_text(found)) if found is not None else ""


def lead_element(tree: html.HtmlElement, description: str | None) -> html.HtmlElement | None:
    """Return the outermost element whose text is the declared description (the lead)."""
    wanted = normalize_text(description or "")
    if not wanted:
        return None
    for element in tree.iter(*_LEAD_TAGS):
        if _inside_chrome(element) or element.getparent() is None:
            continue
        if normalize_text(element_text(element)) == wanted:
            return element
    return None


def structural_lead(tree: html.HtmlElement, description: str | None) -> str:
    """Return the page element's text that is the declared description (the lead), or ""."""
    return normalize_text(description or "") if lead_element(tree, description) is not None else ""


def body_container(tree: html.HtmlElement) -> html.HtmlElement | None:
    """Return the element with the most prose in its own paragraph children, or None.

    An article's body follows its headline: a block before the first <h1> (the site's legal
    lines, a widget) is chosen only when nothing after it holds prose.
    """
    title = title_element(tree)
    holders = set(title.iterancestors()) if title is not None else set()
    best: dict[bool, tuple[int, html.HtmlElement | None]] = {True: (0, None), False: (0, None)}
    after = title is None
    for element in tree.iter("div", "section", "article", "main", "td", "h1"):
        if element is title:
            after = True
            continue
        score = _prose_score(element)
        placed = after or element in holders
        if score > best[placed][0] and not _inside_chrome(element):
            best[placed] = (score, element)
    return best[True][1] if best[True][1] is not None else best[False][1]


def _prose_score(element: html.HtmlElement) -> int:
    score = 0
    for child in element:
        if isinstance(child.tag, str) and child.tag in _PARAGRAPH_TAGS:
            text = element_text(child)
            links = sum(len(element_text(a)) for a in child.iter("a"))
            if len(text) and links / len(text) < _LINK_SHARE:
                score += len(text.strip())
    return score


def _inside_chrome(element: html.HtmlElement, chrome: frozenset[str] = _OUTSIDE) -> bool:
    if element.tag in chrome:
        return True
    return any(a.tag in chrome for a in element.iterancestors())


def author_elements(tree: html.HtmlElement) -> list[html.HtmlElement]:
    """Return the elements marked as the article's author (author-page links, rel/itemprop);
    an article's own <header> may hold its byline, the page's nav and footer do not."""
    return [
        e
        for e in tree.iter("a", "span", "div", "p")
        if not _inside_chrome(e, _BYLINE_CHROME) and _marks_author(e)
    ]


def structural_author(tree: html.HtmlElement) -> tuple[str, ...]:
    """Return the names shown as the article's author (author-page links, rel/itemprop)."""
    names = (normalize_text(element_text(e)) for e in author_elements(tree))
    return tuple(dict.fromkeys(n for n in names if n and len(n) <= 80))


def _marks_author(element: html.HtmlElement) -> bool:
    if "author" in (element.get("rel") or "").lower().split():
        return True
    if (element.get("itemprop") or "").lower() == "author" and not len(element):
        return True
    href = element.get("href") if element.tag == "a" else None
    return bool(href) and bool(_AUTHOR_PATH.search(url_path(str(href))))


def is_author_link(anchor: html.HtmlElement) -> bool:
    """Tell whether a link points at an author's page (`/authors/<name>`) or is rel=author."""
    if "author" in (anchor.get("rel") or "").lower().split():
        return True
    href = anchor.get("href")
    return bool(href) and bool(_AUTHOR_PATH.search(url_path(str(href))))
