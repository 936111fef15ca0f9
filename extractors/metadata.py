"""Read an article's metadata straight from the parsed page: meta tags, JSON-LD, Next.js data.

Cheap on purpose: the profile path gets title, authors, rubric, tags, image and times from
here without running trafilatura. Times come back aware and in UTC; a naive time is read in
the site's own time zone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from lxml import html

from unn_ingest.extractors.html_select import by_class, by_class_prefix, element_text
from unn_ingest.extractors.html_structure import structural_author
from unn_ingest.extractors.normalize import normalize_text

log = logging.getLogger(__name__)

T = TypeVar("T")

_PUBLISHED_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "date",
)
_NO_NAMES: tuple[tuple[str, ...], str] = ((), "none")
_NO_RUBRIC: tuple[str | None, str] = (None, "none")
_MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "lastmod")


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about its article outside the body text."""

    title: str | None = None
    description: str | None = None
    authors: tuple[str, ...] = ()
    rubric: str | None = None
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    authors_source: str = "none"  # who found them: "profile" (a marked element), "structure",
    rubric_source: str = "none"  # "next-data", "json-ld", "metadata"
    tags_source: str = "none"
    published_at: datetime | None = None
    modified_at: datetime | None = None
    canonical_url: str | None = None
    language: str | None = None
    warnings: tuple[str, ...] = ()  # optional fields dropped because they could not be read


def parse_datetime(value: object, tz: ZoneInfo) -> datetime | None:
    """Parse an ISO 8601 or RFC 822 time; read a naive one in `tz`; return it in UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def meta_values(tree: html.HtmlElement) -> dict[str, list[str]]:
    """Return the page's <meta> contents keyed by lower-cased property, name or itemprop."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            values.setdefault(key.strip().lower(), []).append(content.strip())
    return values


def json_ld_article(tree: html.HtmlElement) -> dict[str, Any]:
    """Return the first JSON-LD object typed as an article (NewsArticle, Article, ...), or {}."""
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for item in _json_ld_items(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                return item
    return {}


def _json_ld_items(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _json_ld_items(entry)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _json_ld_items(data["@graph"])


def next_data_article(tree: html.HtmlElement) -> dict[str, Any]:
    """Return `props.pageProps.article` from a Next.js `__NEXT_DATA__` script, or {}."""
    for script in tree.iter("script"):
        if script.get("id") != "__NEXT_DATA__" or not script.text:
            continue
        try:
            data = json.loads(script.text)
            article = data["props"]["pageProps"]["article"]
        except (ValueError, KeyError, TypeError):
            return {}
        return article if isinstance(article, dict) else {}
    return {}


def read_metadata(
    tree: html.HtmlElement, base_url: str, tz: ZoneInfo, css: Mapping[str, str] | None = None
) -> PageMetadata:
    """Collect the page's metadata from meta tags, JSON-LD, __NEXT_DATA__ and AMP markup.

    An optional field that cannot be read (a bad image URL, a date out of range, an odd
    author) is dropped with a warning: the article is worth more than any one of its fields.
    """
    meta = meta_values(tree)
    ld = json_ld_article(tree)
    nxt = next_data_article(tree)
    css = css or {}
    field = _OptionalFields(base_url)
    authors, authors_source = field.read("author", _NO_NAMES, _authors, tree, meta, ld, nxt, css)
    rubric, rubric_source = field.read("rubric", _NO_RUBRIC, _rubric, tree, meta, ld, nxt, css)
    tags, tags_source = field.read("tags", _NO_NAMES, _tags, tree, meta, nxt, css)
    return PageMetadata(
        title=_first(meta, "og:title") or _str(ld.get("headline")) or _title_tag(tree),
        description=_first(meta, "og:description", "description"),
        authors=authors,
        authors_source=authors_source,
        rubric=rubric,
        tags=tags,
        rubric_source=rubric_source,
        tags_source=tags_source,
        image_url=field.read("image", None, _image, meta, nxt, base_url),
        published_at=field.read(
            "published time", None, _time, meta, _PUBLISHED_KEYS, (nxt.get("publishedAt"),), ld, tz
        ),
        modified_at=field.read(
            "modified time", None, _time, meta, _MODIFIED_KEYS, (nxt.get("modifiedAt"),), ld, tz
        ),
        canonical_url=field.read("canonical URL", None, _canonical, tree, base_url),
        language=_html_language(tree),
        warnings=tuple(field.warnings),
    )


class _OptionalFields:
    """Reads optional fields, turning a reader's exception into a dropped field and a warning."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.warnings: list[str] = []

    def read(self, name: str, default: T, reader: Callable[..., T], *args: Any) -> T:
        try:
            return reader(*args)
        except Exception as exc:
            warning = f"dropped unreadable {name}: {type(exc).__name__}: {exc}"[:300]
            log.warning("%s — %s", warning, self.url)
            self.warnings.append(warning)
            return default


def _image(meta: dict[str, list[str]], nxt: dict[str, Any], base_url: str) -> str | None:
    image = _first(meta, "og:image", "twitter:image") or _str(nxt.get("image"))
    return urljoin(base_url, image) if image else None


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if key in meta:
            return normalize_text(meta[key][0]) or None
    return None


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return normalize_text(value)
    return None


def _title_tag(tree: html.HtmlElement) -> str | None:
    title = tree.find(".//title")
    return _str(title.text_content()) if title is not None else None


def _texts(elements: list[html.HtmlElement]) -> tuple[str, ...]:
    texts = (normalize_text(element_text(e)) for e in elements)
    return tuple(dict.fromkeys(t for t in texts if t))


def _authors(
    tree: html.HtmlElement,
    meta: dict[str, list[str]],
    ld: dict[str, Any],
    nxt: dict[str, Any],
    css: Mapping[str, str],
) -> tuple[tuple[str, ...], str]:
    marked = _texts(by_class(tree, "amp-author")) or _texts(
        by_class_prefix(tree, css.get("author"))
    )
    if marked:
        return marked, "profile"
    linked = structural_author(tree)  # a link to the author's page, e.g. after the body
    if linked:
        return linked, "structure"
    if _str(nxt.get("author")):
        return (normalize_text(nxt["author"]),), "next-data"
    from_ld = tuple(_names(ld.get("author")))
    if from_ld:
        return from_ld, "json-ld"
    author = _first(meta, "author", "article:author")
    return ((author,), "metadata") if author and not author.startswith("http") else ((), "none")


def _names(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _names(item)
    elif isinstance(value, dict) and value.get("@type") != "Organization":
        yield from _names(value.get("name"))  # a publisher named as author is no byline
    elif isinstance(value, str) and value.strip():
        yield normalize_text(value)


def _rubric(
    tree: html.HtmlElement,
    meta: dict[str, list[str]],
    ld: dict[str, Any],
    nxt: dict[str, Any],
    css: Mapping[str, str],
) -> tuple[str | None, str]:
    shown = _texts(by_class(tree, "amp-rubric")) or _texts(by_class_prefix(tree, css.get("rubric")))
    if shown:
        return shown[0], "profile"
    section = ld.get("articleSection")
    if isinstance(section, list):
        section = section[0] if section else None
    for found, source in (
        (_str(nxt.get("rubric")), "next-data"),
        (_first(meta, "article:section"), "metadata"),
        (_str(section), "json-ld"),
    ):
        if found:
            return found, source
    return None, "none"


def _tags(
    tree: html.HtmlElement, meta: dict[str, list[str]], nxt: dict[str, Any], css: Mapping[str, str]
) -> tuple[tuple[str, ...], str]:
    boxes = by_class_prefix(tree, css.get("tags"))
    if boxes:
        return _texts([a for box in boxes for a in box.iter("a")]), "profile"
    listed = nxt.get("tags")
    if isinstance(listed, list) and listed:
        found = (normalize_text(t) for t in listed if isinstance(t, str))
        return tuple(dict.fromkeys(found)), "next-data"
    tagged = tuple(dict.fromkeys(normalize_text(t) for t in meta.get("article:tag", [])))
    return tagged, "metadata" if tagged else "none"


def _time(
    meta: dict[str, list[str]],
    keys: tuple[str, ...],
    extra: tuple[Any, ...],
    ld: dict[str, Any],
    tz: ZoneInfo,
) -> datetime | None:
    ld_key = "datePublished" if keys is _PUBLISHED_KEYS else "dateModified"
    candidates = [meta[k][0] for k in keys if k in meta] + [*extra, ld.get(ld_key)]
    for value in candidates:
        parsed = parse_datetime(value, tz)
        if parsed is not None:
            return parsed
    return None


def _canonical(tree: html.HtmlElement, base_url: str) -> str | None:
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = str(link.get("href") or "").strip()
        if "canonical" in rel and href:
            return urljoin(base_url, href)
    return None


def _html_language(tree: html.HtmlElement) -> str | None:
    lang = tree.get("lang") or tree.get("xml:lang")
    if not lang:
        return None
    return lang.strip().lower().replace("_", "-").split("-")[0] or None
