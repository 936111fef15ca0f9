"""Choose a site page's title, lead and body: profile classes, then structure, then fallbacks.

Each part is taken from the first source that finds it: the profile's class names; the page's
structure (first <h1>, the element carrying the `og:description`, the densest paragraph
container); the metadata (`og:title`, `og:description`); for the body, the Next.js data and
trafilatura last. Whatever path found the body, the same line rules then drop furniture
(inline related-story lines, view counters, datelines) and repeats of the title, lead and
author. `SelectedContent.sources` records who found each part, for the drift alarm.
"""

from __future__ import annotations

import logging
import re

from lxml import html

from unn_ingest.extractors.boilerplate import drop_furniture
from unn_ingest.extractors.html_generic import trafilatura_paragraphs
from unn_ingest.extractors.html_profile import (
    FURNITURE_ROLES,
    SelectedContent,
    select_content,
    walk_blocks,
    without_furniture,
)
from unn_ingest.extractors.html_select import by_class_prefix
from unn_ingest.extractors.html_structure import (
    body_container,
    structural_lead,
    structural_title,
)
from unn_ingest.extractors.metadata import PageMetadata, next_data_article
from unn_ingest.extractors.normalize import normalize_paragraphs, normalize_text
from unn_ingest.extractors.profile import SiteProfile

log = logging.getLogger(__name__)

# A bare personal name: two or three capitalised words, nothing else (the seed's last line).
_NAME = re.compile(r"^[A-ZА-ЯІЇЄҐ][a-zа-яіїєґё'’-]+(?: [A-ZА-ЯІЇЄҐ][a-zа-яіїєґё'’-]+){1,2}$")
# A profile body this much shorter than the page's densest paragraph block covers only part.
PARTIAL_SHARE = 0.5

__all__ = ["choose_content"]


def choose_content(
    tree: html.HtmlElement, url: str, profile: SiteProfile, meta: PageMetadata
) -> SelectedContent:
    """Return title, lead and body, each from the first source that finds it."""
    selected = select_content(tree, profile)
    sources = dict(selected.sources)
    title, sources["title"] = _title(tree, selected, meta)
    lead, sources["lead"] = _lead(tree, selected, meta)
    paragraphs, sources["body"], element = _body(tree, url, profile, selected)
    known = (title, lead, *meta.authors)
    cleaned = _without_repeats(drop_furniture(paragraphs, profile), known)
    byline = ""
    if not meta.authors and cleaned and _is_byline(cleaned[-1], profile):
        cleaned, byline = cleaned[:-1], cleaned[-1]
    return SelectedContent(
        title=title,
        lead=lead,
        paragraphs=cleaned,
        time_value=selected.time_value,
        sources=tuple(sources.items()),
        byline=byline,
        body_element=element,
    )


def _title(
    tree: html.HtmlElement, selected: SelectedContent, meta: PageMetadata
) -> tuple[str, str]:
    if selected.title:
        return selected.title, "profile"
    found = structural_title(tree)
    if found:
        return found, "structure"
    from_data = normalize_text(str(next_data_article(tree).get("title") or ""))
    if from_data:
        return from_data, "next-data"
    return (meta.title, "metadata") if meta.title else ("", "none")


def _lead(tree: html.HtmlElement, selected: SelectedContent, meta: PageMetadata) -> tuple[str, str]:
    if selected.lead:
        return selected.lead, "profile"
    found = structural_lead(tree, meta.description)
    if found:
        return found, "structure"
    from_data = normalize_text(str(next_data_article(tree).get("lead") or ""))
    if from_data:
        return from_data, "next-data"
    return (meta.description, "metadata") if meta.description else ("", "none")


def _body(
    tree: html.HtmlElement, url: str, profile: SiteProfile, selected: SelectedContent
) -> tuple[tuple[str, ...], str, html.HtmlElement | None]:
    """Return the body blocks, their source (profile, structure, next-data or trafilatura)
    and the element they were read from."""
    furniture = tuple(profile.css[r] for r in FURNITURE_ROLES if r in profile.css)
    container = body_container(tree)
    structural = _walk(container, furniture) if container is not None else ()
    if selected.paragraphs and not _partial(selected.paragraphs, structural, container, profile):
        return selected.paragraphs, "profile", selected.body_element
    if structural:
        return structural, "structure", container
    from_data = _next_data_blocks(tree, furniture, profile)
    if from_data:
        return from_data, "next-data", None
    log.info("neither the profile nor the structure found a body in %s; using trafilatura", url)
    found = trafilatura_paragraphs(without_furniture(tree, profile), url)
    return drop_furniture(found, profile), "trafilatura" if found else "none", container


def _partial(
    chosen: tuple[str, ...],
    structural: tuple[str, ...],
    container: html.HtmlElement | None,
    profile: SiteProfile,
) -> bool:
    """Tell whether the profile's body is a small part of a denser block that holds it.

    Only a block around the profile's body counts: a denser block elsewhere on the page (a
    widget of story summaries) must never replace a body the profile found.
    """
    if container is None:
        return False
    bodies = by_class_prefix(container, profile.css.get("body"))
    if not bodies or bodies[0] is container:
        return False
    return sum(map(len, chosen)) < PARTIAL_SHARE * sum(map(len, structural))


def _walk(element: html.HtmlElement, furniture: tuple[str, ...]) -> tuple[str, ...]:
    blocks: list[str] = []
    walk_blocks(element, furniture, blocks)
    return normalize_paragraphs(blocks)


def _next_data_blocks(
    tree: html.HtmlElement, furniture: tuple[str, ...], profile: SiteProfile
) -> tuple[str, ...]:
    body = next_data_article(tree).get("body")
    if not isinstance(body, str) or not body.strip():
        return ()
    root = html.fragment_fromstring(body, create_parent="div")
    return drop_furniture(_walk(root, furniture), profile)


def _is_byline(line: str, profile: SiteProfile) -> bool:
    """Tell whether a body's last line is a bare name ("Ihor Telezhnikov"), not a subhead."""
    subheads = {s.casefold() for e in profile.editions for s in e.subheads}
    return bool(_NAME.match(line)) and line.casefold() not in subheads


def _without_repeats(paragraphs: tuple[str, ...], known: tuple[str, ...]) -> tuple[str, ...]:
    # A body block that repeats the title, the lead or the byline is not body text.
    seen = {normalize_text(k) for k in known if k}
    return tuple(p for p in paragraphs if p not in seen)
