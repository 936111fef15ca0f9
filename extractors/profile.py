"""The declarative description of one trilingual news site, as the extractors need it.

The values live in `config/` (a TOML file per site); this module only defines their shape, so
that `extractors/` depends on nothing else of the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EditionProfile:
    """What differs between a site's language editions."""

    code: str  # "uk", "en", "ru"
    prefix: str  # URL path prefix: "" for uk, "/en", "/ru"
    feed_path: str  # "/rss/news_uk.xml"
    listing_path: str  # "/news" (paginated with ?page=N)
    dateline: str  # "Київ • УНН"
    views_words: tuple[str, ...]  # "views", "перегляди", ...
    attribution_phrases: tuple[str, ...]  # "UNN reports", "передає УНН", ...
    subheads: tuple[str, ...]  # "Details", "Recall", ...
    boilerplate_phrases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RetryLimits:
    """How hard the fetcher tries: within one run, and between runs (the frontier)."""

    max_attempts: int = 3  # per URL within one run
    backoff_seconds: float = 0.5  # first wait without Retry-After; doubles per attempt
    backoff_cap_seconds: float = 8.0
    max_retry_after_seconds: float = 60.0  # a longer Retry-After is cut to this
    retry_delay_seconds: float = 300.0  # a later run retries a transient failure after this...
    retry_delay_cap_seconds: float = 86400.0  # ...doubling per failed run up to this
    robots_cache_seconds: float = 86400.0  # robots.txt is fetched again after this


@dataclass(frozen=True, slots=True)
class Furniture:
    """What every article of the site carries and no story tells apart: the site profile's
    attribution phrases ("передає УНН") and subheads ("Деталі"), all editions together."""

    phrases: tuple[str, ...] = ()
    subheads: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SiteProfile:
    """Everything site-specific: origin, editions, markup hints, politeness."""

    name: str
    origin: str  # "https://unn.ua" or a replica's base URL
    allowed_hosts: tuple[str, ...]
    time_zone: str  # "Europe/Kyiv"
    editions: tuple[EditionProfile, ...]
    article_path_pattern: str  # regex on the URL path: ^(?:/(en|ru))?/news/(?P<slug>[^/?#]+)$
    amp_path_pattern: str
    css: dict[str, str] = field(default_factory=dict)  # role -> class-name prefix
    footer_phrases: tuple[str, ...] = ()
    retries: RetryLimits = field(default_factory=RetryLimits)
    user_agent: str = "unn-ingest"
    requests_per_second: float = 1.0
    max_concurrency: int = 4
    # Below this share of pages whose part the profile's own classes found, a run warns.
    drift_threshold: float = 0.9

    def edition(self, code: str) -> EditionProfile:
        """Return the edition with this code; raise KeyError if the site has none."""
        for edition in self.editions:
            if edition.code == code:
                return edition
        raise KeyError(code)

    def furniture(self) -> Furniture:
        """Return the attribution phrases and subheads of every edition (what content
        matching leaves out)."""
        phrases = tuple(p for e in self.editions for p in e.attribution_phrases)
        return Furniture(phrases, tuple(s for e in self.editions for s in e.subheads))

    @property
    def edition_codes(self) -> tuple[str, ...]:
        """Return the edition codes in profile order."""
        return tuple(e.code for e in self.editions)
