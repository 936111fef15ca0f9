"""Read feeds and listing pages into the article URLs they announce."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
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
    """Return the article items of an RSS/Atom feed; a broken feed gives an error, not items."""
    parsed = feedparser.parse(page.body)
    items = []
    for entry in parsed.entries:
        item = _feed_item(entry, profile, page.final_url)
        if item is not None:
            items.append(item)
    if parsed.bozo:
        reason = str(parsed.get("bozo_exception", "unparseable feed")).splitlines()[0][:200]
        return Discovery(items=tuple(items), error=f"malformed feed: {reason}")
    if not items and not parsed.get("version"):
        return Discovery(items=(), error="not an RSS or Atom feed")
    return Discovery(items=tuple(items))


def _feed_item(entry: dict, profile: SiteProfile, base: str) -> DiscoveredItem | None:  # type: ignore[type-arg]
    link = entry.get("link") or ""
    url = canonical_article_url(link, profile, base=base)
    if url is None:
        log.info("feed item is not an article URL of %s: %r", profile.name, link)
        return None
    key = article_key(url, profile)
    assert key is not None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
    return DiscoveredItem(
        url=url,
        edition=key.edition,
        slug=key.slug,
        published_at=published,
        title=entry.get("title"),
        rubric=entry.get("category") or None,
    )


def parse_listing(page: FetchedPage, profile: SiteProfile) -> Discovery:
    """Return a listing page's article links with their times, and whether a next page exists."""
    try:
        tree = lxml_html.fromstring(page.body)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        return Discovery(items=(), error=f"unparseable listing page: {exc}")
    prefix = profile.css.get("listing_item", "news-list_item") + "__"
    items: dict[str, DiscoveredItem] = {}
    for node in tree.xpath(f'//*[contains(@class, "{prefix}")]'):
        item = _listing_item(node, profile, page.final_url)
        if item is not None and item.url not in items:
            items[item.url] = item
    has_next = bool(tree.xpath('//a[@rel="next"]'))
    return Discovery(items=tuple(items.values()), has_next=has_next)


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
