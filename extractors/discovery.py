"""Read feeds and listing pages into the article URLs they announce."""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import html as lxml_html

from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import DiscoveredItem
from unn_ingest.extractors.urls import article_key, canonical_article_url

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Discovery:
    """What one feed or listing page yielded; `error` says what was wrong with it.

    A damaged feed can still yield the items before the damage: both are reported.
    """

    items: tuple[DiscoveredItem, ...]
    has_next: bool = False
    error: str | None = None


def parse_feed(page: FetchedPage, profile: SiteProfile) -> Discovery:
    """Return the article items of an RSS/Atom feed; a broken feed gives an error, not items.

    Never raises: whatever goes wrong inside the parser becomes the Discovery's error.
    """
    try:
        parsed = feedparser.parse(_sane_char_refs(page.body))
    except Exception as exc:  # feedparser's own bugs (e.g. OverflowError) must not end a run
        log.warning("feed parser crashed: %s — %s", exc, page.url)
        return Discovery(items=(), error=f"unparseable feed: {_describe(exc)}")
    items = []
    for entry in parsed.entries:
        item = _guarded_item(_feed_item, entry, profile, page.final_url)
        if item is not None:
            items.append(item)
    if parsed.bozo:
        reason = str(parsed.get("bozo_exception", "unparseable feed")).splitlines()[0][:200]
        return Discovery(items=tuple(items), error=f"malformed feed: {reason}")
    if not items and not parsed.get("version"):
        return Discovery(items=(), error="not an RSS or Atom feed")
    return Discovery(items=tuple(items))


_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")


def _sane_char_refs(body: bytes) -> bytes:
    """Replace numeric character references beyond Unicode (they crash feedparser) with U+FFFD."""

    def fix(match: re.Match[bytes]) -> bytes:
        hex_digits, digits = match.groups()
        value = int(hex_digits, 16) if hex_digits else int(digits)
        return match.group(0) if 0 < value <= 0x10FFFF else b"&#65533;"

    return _CHAR_REF.sub(fix, body)


def _guarded_item(
    read: Callable[[Any, SiteProfile, str], DiscoveredItem | None],
    node: Any,
    profile: SiteProfile,
    base: str,
) -> DiscoveredItem | None:
    """Read one feed or listing item; an item that cannot be read is dropped with a warning."""
    try:
        return read(node, profile, base)
    except Exception as exc:
        log.warning("dropped an unreadable item: %s — in %s", _describe(exc), base)
        return None


def _feed_item(entry: dict, profile: SiteProfile, base: str) -> DiscoveredItem | None:  # type: ignore[type-arg]
    link = entry.get("link") or ""
    url = canonical_article_url(link, profile, base=base)
    if url is None:
        log.info("feed item is not an article URL of %s: %s", profile.name, link)
        return None
    key = article_key(url, profile)
    assert key is not None
    title, rubric = entry.get("title"), entry.get("category")
    return DiscoveredItem(
        url=url,
        edition=key.edition,
        slug=key.slug,
        published_at=_feed_time(entry, url),
        title=title if isinstance(title, str) else None,
        rubric=rubric if isinstance(rubric, str) and rubric else None,
    )


def _feed_time(entry: dict, url: str) -> datetime | None:  # type: ignore[type-arg]
    """Return an entry's publish time; an impossible one is dropped with a warning."""
    # dict.get: feedparser's own mapping of one key to the other warns of its deprecation.
    stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    if not stamp:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(stamp), UTC)
    except (OverflowError, ValueError, TypeError, OSError) as exc:
        log.warning("dropped the bad date of a feed item: %s — %s", exc, url)
        return None


def parse_listing(page: FetchedPage, profile: SiteProfile) -> Discovery:
    """Return a listing page's article links with their times, and whether a next page exists.

    Never raises. A page cut short (no `</html>`, no footer) gives the items before the cut
    with an error, since whatever followed the cut, including the next-page link, is lost.
    """
    try:
        tree = lxml_html.fromstring(page.body)
    except Exception as exc:  # lxml raises several types on hostile bytes
        return Discovery(items=(), error=f"unparseable listing page: {_describe(exc)}")
    prefix = profile.css.get("listing_item", "news-list_item") + "__"
    items: dict[str, DiscoveredItem] = {}
    for node in tree.xpath(f'//*[contains(@class, "{prefix}")]'):
        item = _guarded_item(_listing_item, node, profile, page.final_url)
        if item is not None and item.url not in items:
            items[item.url] = item
    found = tuple(items.values())
    if not _complete(page.body, tree, profile):  # the last item may hold a half-cut link
        return Discovery(items=found[:-1], error="listing page cut short")
    return Discovery(items=found, has_next=bool(tree.xpath('//a[@rel="next"]')))


def _complete(body: bytes, tree: lxml_html.HtmlElement, profile: SiteProfile) -> bool:
    """Tell whether a listing page reached its end (its closing tag or its footer)."""
    if b"</html" in body[-4096:].lower():
        return True
    footer = profile.css.get("footer")
    return bool(tree.xpath("//footer")) or bool(
        footer and tree.xpath(f'//*[contains(@class, "{footer}")]')
    )


def _listing_item(
    node: lxml_html.HtmlElement, profile: SiteProfile, base: str
) -> DiscoveredItem | None:
    hrefs = node.xpath(".//a/@href")
    url = next((u for h in hrefs if (u := canonical_article_url(urljoin(base, h), profile))), None)
    if url is None:
        return None
    key = article_key(url, profile)
    assert key is not None
    stamps = node.xpath(".//time/@datetime")
    published = _parse_iso(stamps[0]) if stamps else None
    title = " ".join(node.xpath(".//a//text()")).strip() or None
    return DiscoveredItem(
        url=url,
        edition=key.edition,
        slug=key.slug,
        published_at=published,
        title=title,
        source="listing",
    )


def _parse_iso(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
