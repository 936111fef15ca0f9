"""Read an article's images (lead and body, with caption and credit) and its body sections.

The lead image is the page's `og:image`, found on the page by the profile's image class, else
by its file name, else as the first image after the headline; its caption is the caption shown
with it (else the image's alt text), and a line starting with a credit label ("Фото:",
"Photo:") is its credit. Sections split the body at its subheads (the body's own <h2>..<h4>,
else the profile's recurring subheads).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import html

from unn_ingest.extractors.html_select import element_text, first_by_class_prefix
from unn_ingest.extractors.html_structure import title_element
from unn_ingest.extractors.normalize import normalize_text
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import ImageRef, Section
from unn_ingest.extractors.urls import url_path

_IMAGES = ("img", "amp-img")
_CAPTION_TAGS = frozenset({"figcaption", "span", "div", "p", "small", "cite", "em"})
_HEADINGS = ("h2", "h3", "h4")

__all__ = ["body_images", "body_sections", "lead_image"]


def lead_image(
    tree: html.HtmlElement,
    declared: str | None,
    body: html.HtmlElement | None,
    profile: SiteProfile,
    base_url: str,
) -> ImageRef | None:
    """Return the lead image with the caption and credit shown with it; None without one."""
    element = _lead_element(tree, declared, body, profile)
    if element is None:
        return ImageRef(declared) if declared else None
    url = declared or urljoin(base_url, str(element.get("src") or ""))
    if not url or url == base_url:
        return None
    caption, credit = _caption(element, profile)
    return ImageRef(url, caption, credit)


def _lead_element(
    tree: html.HtmlElement,
    declared: str | None,
    body: html.HtmlElement | None,
    profile: SiteProfile,
) -> html.HtmlElement | None:
    box = first_by_class_prefix(tree, profile.css.get("image"))
    if box is not None:
        found = next(box.iter(*_IMAGES), None)
        if found is not None:
            return found
    name = _file_name(declared)
    if name:
        for image in tree.iter(*_IMAGES):
            if _file_name(str(image.get("src") or "")) == name:
                return image
    title = title_element(tree)
    if title is None:
        return None
    following = title.xpath("following::*[self::img or self::amp-img][1]")
    if not following or (body is not None and _after(following[0], body)):
        return None
    return following[0]


def _after(element: html.HtmlElement, body: html.HtmlElement) -> bool:
    """Tell whether `element` is inside the body or after it (not a lead image)."""
    for node in element.getroottree().iter():
        if node is body:
            return True
        if node is element:
            return False
    return True


def _file_name(url: str | None) -> str:
    return url_path(url or "").rsplit("/", 1)[-1]


def _caption(image: html.HtmlElement, profile: SiteProfile) -> tuple[str, str]:
    """Return (caption, credit) shown with an image: its figure's or box's text, else alt."""
    box = next((a for a in image.iterancestors("figure")), None)
    if box is None:
        parent = image.getparent()
        box = parent if parent is not None and len(parent) <= 3 else None
    alt = normalize_text(str(image.get("alt") or ""))
    if box is None:
        return alt, ""
    credit, credit_text = _credit(box, profile)
    text = normalize_text(element_text(box))
    if credit_text:
        text = normalize_text(text.replace(credit_text, " "))
    return text or alt, credit


def _credit(box: html.HtmlElement, profile: SiteProfile) -> tuple[str, str]:
    """Return (credit, the text it was read from) from the box's credit line, or ("", "")."""
    labels = "|".join(re.escape(label) for label in profile.image_credit_labels)
    pattern = re.compile(rf"^(?:{labels})\s*:\s*(?P<credit>.+)$", re.IGNORECASE)
    for element in box.iter(*_CAPTION_TAGS):
        text = normalize_text(element_text(element))
        match = pattern.match(text)
        if match:
            return normalize_text(match["credit"]), text
    inline = re.compile(rf"(?:^|\s)(?:{labels})\s*:\s*(?P<credit>[^:]+)$", re.IGNORECASE)
    found = inline.search(normalize_text(element_text(box)))  # "Caption. Photo: Name"
    return (normalize_text(found["credit"]), found[0].strip()) if found else ("", "")


def body_images(
    body: html.HtmlElement | None, lead: ImageRef | None, profile: SiteProfile, base_url: str
) -> tuple[ImageRef, ...]:
    """Return the images inside the body (not the lead image), each with caption and credit."""
    if body is None:
        return ()
    found: dict[str, ImageRef] = {}
    for image in body.iter(*_IMAGES):
        src = str(image.get("src") or image.get("data-src") or "").strip()
        if not src or src.startswith("data:"):
            continue
        url = urljoin(base_url, src)
        if lead is not None and _file_name(url) == _file_name(lead.url):
            continue
        caption, credit = _caption(image, profile)
        found.setdefault(url, ImageRef(url, caption, credit))
    return tuple(found.values())


def body_sections(
    body: html.HtmlElement | None, paragraphs: tuple[str, ...], profile: SiteProfile
) -> tuple[Section, ...]:
    """Split the body paragraphs at their subheads into sections."""
    heads = {s.casefold() for e in profile.editions for s in e.subheads}
    if body is not None:
        heads |= {normalize_text(element_text(h)).casefold() for h in body.iter(*_HEADINGS)}
    sections: list[Section] = []
    subhead, run = "", list[str]()
    for paragraph in paragraphs:
        if paragraph.casefold() in heads:
            if subhead or run:
                sections.append(Section(subhead, tuple(run)))
            subhead, run = paragraph, []
        else:
            run.append(paragraph)
    if subhead or run:
        sections.append(Section(subhead, tuple(run)))
    return tuple(sections)
