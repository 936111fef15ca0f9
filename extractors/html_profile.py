"""Select an article's title, lead and body from a site's own markup (CSS-module classes).

The body walk keeps paragraphs, subheads and quotes in page order and skips every element
whose class marks it as furniture (related links, widgets, dateline, image, tags), so the
result holds the article and nothing else.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from lxml import html

from unn_ingest.extractors.html_select import (
    by_class,
    by_class_prefix,
    element_text,
    first_by_class_prefix,
    forget_classes,
    has_class_prefix,
)
from unn_ingest.extractors.normalize import normalize_paragraphs, normalize_text
from unn_ingest.extractors.profile import SiteProfile

# Roles in the profile's `css` table whose elements are never body text.
FURNITURE_ROLES = (
    "related",
    "news_card",
    "popular",
    "currency",
    "switcher",
    "rubric_menu",
    "footer",
    "meta",
    "image",
    "tags",
    "author",
    "rubric",
)
# AMP pages use plain class names (the replica's `amp-lead` and `amp-body`).
AMP_TITLE = "amp-title"
AMP_LEAD = "amp-lead"
AMP_BODY = "amp-body"
_SKIPPED_TAGS = frozenset(
    {"script", "style", "template", "noscript", "figure", "img", "picture", "video", "audio"}
    | {"iframe", "svg", "button", "form", "nav", "aside", "footer", "header", "input"}
    | {"amp-img", "amp-video", "amp-iframe", "amp-ad", "amp-social-share"}
)
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "ul", "ol", "li", "blockquote", "table", "pre"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "figure", "main"}
)
_CONTAINER_TAGS = frozenset({"div", "section", "article", "main", "ul", "ol", "blockquote"})


@dataclass(frozen=True, slots=True)
class SelectedContent:
    """What the site's selectors found; empty fields when a selector matched nothing."""

    title: str = ""
    lead: str = ""
    paragraphs: tuple[str, ...] = ()
    time_value: str | None = None  # the `datetime` attribute of the article's <time>
    # Who found each part: ("title", "profile"), ("body", "structure"), ... (see extractors.drift)
    sources: tuple[tuple[str, str], ...] = ()
    byline: str = ""  # an author's name that closed the body as a bare line (seed page)
    # The element the body was read from (None: from data, not markup); not compared.
    body_element: Any = field(default=None, compare=False, repr=False)

    def source(self, part: str) -> str:
        """Return who found `part` ("profile", "structure", "metadata", ...), or "none"."""
        return dict(self.sources).get(part, "none")


def select_content(tree: html.HtmlElement, profile: SiteProfile) -> SelectedContent:
    """Return title, lead, body blocks and the shown time found by the profile's selectors."""
    css = profile.css
    # Elements are falsy when childless, so `or` must not choose between them.
    scope = _either(first_by_class_prefix(tree, css.get("article")), tree)
    furniture = tuple(css[role] for role in FURNITURE_ROLES if role in css)
    title_el = _either(
        first_by_class_prefix(scope, css.get("title")), _first_class(scope, AMP_TITLE)
    )
    lead_el = _either(first_by_class_prefix(scope, css.get("lead")), _first_class(scope, AMP_LEAD))
    bodies = by_class_prefix(scope, css.get("body")) or by_class(scope, AMP_BODY)
    paragraphs: list[str] = []
    outermost = _outermost(bodies)
    for body in outermost:
        walk_blocks(body, furniture, paragraphs)
    title = normalize_text(element_text(title_el)) if title_el is not None else ""
    lead = normalize_text(element_text(lead_el)) if lead_el is not None else ""
    found = normalize_paragraphs(paragraphs)
    return SelectedContent(
        title=title,
        lead=lead,
        paragraphs=found,
        time_value=_time_value(scope, css.get("meta")),
        sources=tuple(
            (part, "profile")
            for part, value in (("title", title), ("lead", lead), ("body", found))
            if value
        ),
        body_element=outermost[0] if outermost else None,
    )


def without_furniture(tree: html.HtmlElement, profile: SiteProfile) -> html.HtmlElement:
    """Return a copy of the page without the site's furniture, for a generic extractor."""
    copy = deepcopy(tree)
    prefixes = [
        profile.css[role] for role in (*FURNITURE_ROLES, "news_feed") if role in profile.css
    ]
    doomed = [e for prefix in prefixes for e in by_class_prefix(copy, prefix)]
    doomed += [e for tag in ("header", "nav", "aside", "footer") for e in copy.iter(tag)]
    for element in _outermost(doomed):
        if element.getparent() is not None:  # lxml asserts on dropping the root
            element.drop_tree()
    forget_classes(copy)
    return copy


def walk_blocks(element: html.HtmlElement, furniture: tuple[str, ...], out: list[str]) -> None:
    """Append the text of each block under `element` in page order, skipping furniture."""
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED_TAGS:
            continue
        if has_class_prefix(child, furniture):
            continue
        if tag in _CONTAINER_TAGS and any(_is_block(c) for c in child):
            walk_blocks(child, furniture, out)
        elif tag in _BLOCK_TAGS or tag == "span" or tag == "a":
            out.append(element_text(child))


def _is_block(element: html.HtmlElement) -> bool:
    return isinstance(element.tag, str) and element.tag in _BLOCK_TAGS


def _outermost(elements: list[html.HtmlElement]) -> list[html.HtmlElement]:
    # A body element nested inside another matched one must not be read twice.
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]


def _either(first: html.HtmlElement | None, second: Any) -> Any:
    return first if first is not None else second


def _first_class(scope: html.HtmlElement, name: str) -> html.HtmlElement | None:
    found = by_class(scope, name)
    return found[0] if found else None


def _time_value(scope: html.HtmlElement, meta_prefix: str | None) -> str | None:
    meta = first_by_class_prefix(scope, meta_prefix)
    for root in (meta, scope):
        if root is None:
            continue
        for time_el in root.iter("time"):
            value = time_el.get("datetime")
            if value:
                return str(value)
    return None
