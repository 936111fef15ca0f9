"""Recognise a site's article URLs: which edition, which slug, full page or AMP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from unn_ingest.extractors.profile import SiteProfile


@dataclass(frozen=True, slots=True)
class ArticleKey:
    """The identity of an article URL on a site."""

    edition: str
    slug: str
    amp: bool = False


@lru_cache(maxsize=64)
def _pattern(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def url_path(url: str) -> str:
    """Return a URL's path, or "" when the URL cannot be parsed (a page's links can be
    anything: `http://[::1/x` makes urlsplit raise)."""
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def url_origin(url: str) -> str | None:
    """Return an http(s) URL's origin as "scheme://host:port" (port explicit), else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # an unclosed IPv6 bracket, a port out of range
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.hostname.lower()}:{port or DEFAULT_PORTS[parts.scheme]}"


DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=16)
def _origins(origin: str, hosts: tuple[str, ...]) -> frozenset[str]:
    base = url_origin(origin)
    if base is None:
        return frozenset()
    scheme, port = base.partition("://")[0], base.rpartition(":")[2]
    return frozenset(f"{scheme}://{host.lower()}:{port}" for host in hosts)


def site_origins(profile: SiteProfile) -> frozenset[str]:
    """Return the site's origins: each allowed host with the scheme and port of its origin."""
    return _origins(profile.origin, profile.allowed_hosts)


def article_key(url: str, profile: SiteProfile) -> ArticleKey | None:
    """Return the edition and slug of an article (or AMP) URL of this site, else None.

    An absolute URL must be on one of the site's origins: scheme, host and port compared whole.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.netloc and url_origin(url) not in site_origins(profile):
        return None
    for regex, amp in ((profile.article_path_pattern, False), (profile.amp_path_pattern, True)):
        match = _pattern(regex).match(parts.path)
        if match:
            edition = match.group("edition") or profile.editions[0].code
            return ArticleKey(edition=edition, slug=match.group("slug"), amp=amp)
    return None


def article_url(key: ArticleKey, profile: SiteProfile) -> str:
    """Return the canonical full-page URL of an article key."""
    prefix = profile.edition(key.edition).prefix
    return f"{profile.origin}{prefix}/news/{key.slug}"


def canonical_article_url(url: str, profile: SiteProfile, base: str | None = None) -> str | None:
    """Return the canonical full-page URL for any article or AMP URL of the site, else None."""
    absolute = urljoin(base, url) if base else url
    key = article_key(absolute, profile)
    if key is None:
        return None
    return article_url(ArticleKey(key.edition, key.slug), profile)
