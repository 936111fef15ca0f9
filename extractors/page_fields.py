"""Read the fields around an article's text from the page: rubric, tags, author after the body.

Structure and link targets first, class names only as the first guess: a rubric is a link to a
rubric page (the profile's `rubric_path_pattern`) that is not part of a menu, a tag a link to a
tag page, an author the name after the body (a link to an author page or a bare name). Every
reader returns what it found and who found it ("profile", "structure", "metadata",
"next-data"), for the drift alarm.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lxml import etree, html

from unn_ingest.extractors.html_profile import SelectedContent
from unn_ingest.extractors.html_select import by_class, by_class_prefix, element_text
from unn_ingest.extractors.html_structure import is_author_link
from unn_ingest.extractors.metadata import PageMetadata
from unn_ingest.extractors.normalize import normalize_text
from unn_ingest.extractors.page_media import body_images, lead_image
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import ImageRef
from unn_ingest.extractors.urls import url_path

# A bare personal name: two to four capitalised words (Latin or Cyrillic), nothing else.
NAME = re.compile(r"^[A-ZА-ЯІЇЄҐЁ][a-zа-яіїєґё'’-]+(?:[ -][A-ZА-ЯІЇЄҐЁ][a-zа-яіїєґё'’-]+){1,3}$")
_CHROME = frozenset({"header", "nav", "aside", "footer"})
_MENU_LINKS = 3  # a parent holding this many rubric links is a menu, not the article's rubric
_AFTER_BODY = 4  # elements after the body searched for the author's name
_MAX_NAME = 60

_TIMES = etree.XPath("//time[@datetime]")  # one C-level scan instead of a Python walk
_UPDATED = re.compile(r"оновлено|updated|обновлено|змінено|изменено", re.IGNORECASE)

__all__ = [
    "NAME",
    "PageFields",
    "Rubric",
    "after_body_author",
    "linked_tags",
    "page_rubric",
    "page_tags",
    "read_page_fields",
]


@dataclass(frozen=True, slots=True)
class Rubric:
    """The article's rubric: its name as shown, its key (URL path without edition prefix)."""

    name: str | None = None
    key: str | None = None
    source: str = "none"


@dataclass(frozen=True, slots=True)
class PageFields:
    """The fields around the text, and who found each (for the drift alarm)."""

    authors: tuple[str, ...]
    rubric: Rubric
    tags: tuple[str, ...]
    image: ImageRef | None
    images: tuple[ImageRef, ...]
    updated: str | None  # the `datetime` of a visible "updated" time
    sources: tuple[tuple[str, str], ...]


def read_page_fields(
    tree: html.HtmlElement,
    url: str,
    meta: PageMetadata,
    content: SelectedContent,
    profile: SiteProfile,
) -> PageFields:
    """Return authors, rubric, tags, images and the visible update time of a site page."""
    authors, author_source = meta.authors, meta.authors_source
    if not authors and content.byline:
        authors, author_source = (content.byline,), "structure"
    if not authors:
        after = after_body_author(content.body_element)
        authors, author_source = ((after,), "structure") if after else ((), "none")
    rubric = page_rubric(tree, meta, profile)
    tags, tag_source = page_tags(tree, meta, profile)
    image = lead_image(tree, meta.image_url, content.body_element, profile, url)
    return PageFields(
        authors=authors,
        rubric=rubric,
        tags=tags,
        image=image,
        images=body_images(content.body_element, image, profile, url),
        updated=visible_update(tree),
        sources=(("author", author_source), ("rubric", rubric.source), ("tags", tag_source)),
    )


def visible_update(tree: html.HtmlElement) -> str | None:
    """Return the `datetime` of a <time> marked as the article's update, or None."""
    for element in _TIMES(tree):
        value = element.get("datetime")
        if (element.get("itemprop") or "").lower() == "datemodified":
            return str(value)
        parent = element.getparent()
        before = (parent.text or "") if parent is not None else ""
        if _UPDATED.search(before) or _UPDATED.search(element.text or ""):
            return str(value)
    return None


def page_rubric(tree: html.HtmlElement, meta: PageMetadata, profile: SiteProfile) -> Rubric:
    """Return the rubric: the page's rubric link, else its metadata named through the menu."""
    pattern = re.compile(profile.rubric_path_pattern)
    marked = by_class(tree, "amp-rubric") or by_class_prefix(tree, profile.css.get("rubric"))
    for element in marked:
        found = _rubric_link(element, pattern)
        if found is not None:
            return Rubric(found[0], found[1], "profile")
    links = _rubric_links(tree, pattern)
    linked = _structural_rubric(tree, links, profile)
    if linked is not None:
        return Rubric(linked[0], linked[1], "structure")
    if meta.rubric:
        keys: dict[str, str] = {}
        for anchor, key in links:  # the menu names every rubric with its link
            keys.setdefault(normalize_text(element_text(anchor)).casefold(), key)
        return Rubric(meta.rubric, keys.get(meta.rubric.casefold()), meta.rubric_source)
    return Rubric()


def _rubric_link(element: html.HtmlElement, pattern: re.Pattern[str]) -> tuple[str, str] | None:
    anchors = [element] if element.tag == "a" else list(element.iter("a"))
    for anchor in anchors:
        key = _rubric_key(anchor, pattern)
        name = normalize_text(element_text(anchor))
        if key and name:
            return name, key
    return None


def _rubric_key(anchor: html.HtmlElement, pattern: re.Pattern[str]) -> str | None:
    href = anchor.get("href")
    if not href:
        return None
    match = pattern.match(_path(str(href)))
    return match["rubric"] if match else None


def _path(href: str) -> str:
    # Most links are site-relative: cut them by hand, urlsplit costs more than the match.
    if href.startswith("/") and not href.startswith("//"):
        return href.split("?", 1)[0].split("#", 1)[0]
    return url_path(href)


def _rubric_links(
    tree: html.HtmlElement, pattern: re.Pattern[str]
) -> list[tuple[html.HtmlElement, str]]:
    """Return every link to a rubric page with its key, in page order."""
    found = ((anchor, _rubric_key(anchor, pattern)) for anchor in tree.iter("a"))
    return [(anchor, key) for anchor, key in found if key]


def _structural_rubric(
    tree: html.HtmlElement, links: list[tuple[html.HtmlElement, str]], profile: SiteProfile
) -> tuple[str, str] | None:
    """Return the first rubric link outside the chrome and outside any menu of rubrics."""
    per_parent = Counter(anchor.getparent() for anchor, _ in links)
    menus = set(by_class_prefix(tree, profile.css.get("rubric_menu")))
    for anchor, key in links:
        if per_parent[anchor.getparent()] >= _MENU_LINKS or _in_chrome(anchor, menus):
            continue
        name = normalize_text(element_text(anchor))
        if name:
            return name, key
    return None


def _in_chrome(element: html.HtmlElement, menus: set[html.HtmlElement]) -> bool:
    return any(a.tag in _CHROME or a in menus for a in element.iterancestors())


def page_tags(
    tree: html.HtmlElement, meta: PageMetadata, profile: SiteProfile
) -> tuple[tuple[str, ...], str]:
    """Return the tags shown (the profile's box, else links to tag pages) or the metadata's."""
    boxes = by_class_prefix(tree, profile.css.get("tags"))
    shown = _tag_texts([a for box in boxes for a in box.iter("a")])
    if shown:
        return shown, "profile"
    menus = set(by_class_prefix(tree, profile.css.get("rubric_menu")))
    linked = tag_links(tree, profile.tag_path_pattern, menus)
    shown = _tag_texts(linked)
    if shown:
        return shown, "structure"
    return meta.tags, meta.tags_source if meta.tags else "none"


def tag_links(
    tree: html.HtmlElement, pattern: str, menus: set[html.HtmlElement] | None = None
) -> list[html.HtmlElement]:
    """Return the links to tag pages outside the page's chrome and menus."""
    found = re.compile(pattern)
    return [
        a
        for a in tree.iter("a")
        if found.search(url_path(str(a.get("href") or ""))) and not _in_chrome(a, menus or set())
    ]


def linked_tags(tree: html.HtmlElement, pattern: str) -> tuple[str, ...]:
    """Return the texts of the page's links to tag pages (without a leading "#")."""
    return _tag_texts(tag_links(tree, pattern))


def _tag_texts(anchors: list[html.HtmlElement]) -> tuple[str, ...]:
    texts = (normalize_text(element_text(a)).lstrip("#").strip() for a in anchors)
    return tuple(dict.fromkeys(t for t in texts if t))


def after_body_author(body: html.HtmlElement | None) -> str:
    """Return the author's name shown just after the body (a link or a bare name), or ""."""
    element = body
    for _ in range(2):  # the body's own siblings, then its parent's
        if element is None:
            return ""
        for sibling in list(element.itersiblings())[:_AFTER_BODY]:
            if not isinstance(sibling.tag, str) or sibling.tag in ("script", "style"):
                continue
            found = _name_in(sibling)
            if found is not None:
                return found
        element = element.getparent()
    return ""


def _name_in(element: html.HtmlElement) -> str | None:
    """Return the element's text when it is an author's name; "" stops nothing, None skips."""
    anchors = list(element.iter("a"))
    if any(not is_author_link(a) for a in anchors):
        return None  # tags, related stories: not a byline
    text = normalize_text(element_text(element))
    if not text or len(text) > _MAX_NAME:
        return None
    if anchors or NAME.match(text):
        return text
    return None
