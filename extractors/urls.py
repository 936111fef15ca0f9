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


def article_key(url: str, profile: SiteProfile) -> ArticleKey | None:
    """Return the edition and slug of an article (or AMP) URL of this site, else None."""
    parts = urlsplit(url)
    if parts.hostname and parts.hostname not in profile.allowed_hosts:
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
