"""The declarative description of one trilingual news site, as the extractors need it.

The values live in `config/` (a TOML file per site); this module only defines their shape, so
that `extractors/` depends on nothing else of the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

# A link to a tag page: /tags/<tag>, /tag/<tag>, /tegi/<tag> (any site).
TAG_PATH_PATTERN = r"/(?:tags?|tegi|teg|topics?)/[^/]+/?$"


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
class ProfileVersion:
    """A version of the site's markup: the class names that hold from `valid_from` on."""

    name: str  # e.g. "2026-03-redesign"
    valid_from: date  # the site's local date from which pages are read with this version
    css: dict[str, str] = field(default_factory=dict)  # replaces the profile's own [css]


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
    # Regexes on a link's URL path: a rubric page (group "rubric" is its key without the
    # edition prefix) and a tag page.
    rubric_path_pattern: str = (
        r"^(?:/(?:en|ru))?(?P<rubric>/(?!(?:en|ru|uk|news|amp|tags|authors|rss)/?$)[a-z][\w-]*)/?$"
    )
    tag_path_pattern: str = TAG_PATH_PATTERN
    image_credit_labels: tuple[str, ...] = ("Фото", "Photo", "Foto", "Джерело", "Source")
    # Below this share of a run's pages with the field, the drift alarm warns (field -> share).
    field_floors: dict[str, float] = field(default_factory=dict)
    version: str = "default"  # the name of the version whose class names `css` holds
    # Every version, oldest first, the first being the profile's own [css]; empty: one version.
    versions: tuple[ProfileVersion, ...] = ()

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

    def at(self, moment: datetime) -> SiteProfile:
        """Return the profile as it read pages fetched at `moment` (the version of that day)."""
        if not self.versions:
            return self
        day = moment.astimezone(ZoneInfo(self.time_zone)).date()
        chosen = [v for v in self.versions if v.valid_from <= day] or [self.versions[0]]
        current = chosen[-1]
        if current.name == self.version:
            return self
        return replace(self, css=dict(current.css), version=current.name)

    def version_at(self, moment: datetime) -> str:
        """Return the name of the profile version that reads pages fetched at `moment`."""
        return self.at(moment).version

    @property
    def edition_codes(self) -> tuple[str, ...]:
        """Return the edition codes in profile order."""
        return tuple(e.code for e in self.editions)
