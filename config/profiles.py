"""Load a site profile from its TOML file into the extractors' `SiteProfile` record.

The file is checked against `ProfileFile` first: a missing, mistyped or out-of-range key is
named with the file and its place in it (`editions[1].feed_path is missing`).
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from unn_ingest.config.checks import profile_error_line
from unn_ingest.config.settings import PUBLIC_MAX_RPS
from unn_ingest.extractors.profile import (
    EditionProfile,
    ProfileVersion,
    RetryLimits,
    SiteProfile,
)

PROFILE_DIR = Path(__file__).resolve().parent
_RETRIES = RetryLimits()  # the defaults of a [retries] key left out


class ProfileError(ValueError):
    """A site profile is missing or malformed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class EditionEntry(_Strict):
    """One `[[editions]]` table."""

    code: str = Field(pattern=r"^[a-z]{2}$")
    prefix: str
    feed_path: str = Field(pattern=r"^/")
    listing_path: str = Field(pattern=r"^/")
    dateline: str
    views_words: list[str]
    attribution_phrases: list[str]
    subheads: list[str]
    boilerplate_phrases: list[str] = []


class RetriesEntry(_Strict):
    """The `[retries]` table; a missing key keeps `RetryLimits`' default."""

    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)

    max_attempts: int = Field(default=_RETRIES.max_attempts, ge=1, le=20)
    backoff_seconds: float = Field(default=_RETRIES.backoff_seconds, gt=0, le=3600)
    backoff_cap_seconds: float = Field(default=_RETRIES.backoff_cap_seconds, gt=0, le=86400)
    max_retry_after_seconds: float = Field(default=_RETRIES.max_retry_after_seconds, gt=0, le=86400)
    retry_delay_seconds: float = Field(default=_RETRIES.retry_delay_seconds, gt=0, le=30 * 86400)
    retry_delay_cap_seconds: float = Field(
        default=_RETRIES.retry_delay_cap_seconds, gt=0, le=365 * 86400
    )
    robots_cache_seconds: float = Field(default=_RETRIES.robots_cache_seconds, gt=0, le=30 * 86400)


class VersionEntry(_Strict):
    """One `[[versions]]` table: the class names that hold from `valid_from` (a TOML date) on."""

    name: str = Field(min_length=1)
    valid_from: date = Field(description="a TOML date (2026-03-01, unquoted)")
    css: dict[str, str] = {}


class ProfileFile(_Strict):
    """A site profile file as written: every key, its type and its range."""

    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)

    name: str
    origin: str = Field(pattern=r"^https?://[^/]+$")
    allowed_hosts: list[str] = Field(min_length=1)
    time_zone: str
    editions: list[EditionEntry] = Field(min_length=1)
    article_path_pattern: str
    amp_path_pattern: str
    css: dict[str, str] = {}
    footer_phrases: list[str] = []
    retries: RetriesEntry = RetriesEntry()
    user_agent: str = Field(default="unn-ingest", min_length=1)
    # the live site's politeness: paced, at most PUBLIC_MAX_RPS
    requests_per_second: float = Field(default=1.0, gt=0, le=PUBLIC_MAX_RPS)
    max_concurrency: int = Field(default=4, ge=1, le=64)
    drift_threshold: float = Field(default=0.9, ge=0, le=1)
    # page fields: links to rubric and tag pages, the labels of an image's credit line
    rubric_path_pattern: str | None = None
    tag_path_pattern: str | None = None
    image_credit_labels: list[str] | None = None
    field_floors: dict[str, float] | None = None  # the drift alarm's share per field
    version: str = Field(default="default", min_length=1)  # the name of the [css] here
    versions: list[VersionEntry] = []


def load_profile(name: str = "unn", origin: str | None = None) -> SiteProfile:
    """Load the named profile (or a profile file, "*.toml"); an `origin` overrides its own."""
    # A path lets an operator try edited class names after a redeploy without a release.
    path = Path(name).expanduser() if name.endswith(".toml") else PROFILE_DIR / f"{name}.toml"
    if not path.is_file():
        raise ProfileError(f"no site profile named {name!r} (looked for {path})")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        checked = ProfileFile.model_validate(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"site profile {path} is not valid TOML: {exc}") from exc
    except ValidationError as exc:
        raise ProfileError(profile_error_line(exc, path, ProfileFile)) from None
    return _build(checked, origin)


def _build(raw: ProfileFile, origin: str | None) -> SiteProfile:
    editions = tuple(
        EditionProfile(
            code=e.code,
            prefix=e.prefix,
            feed_path=e.feed_path,
            listing_path=e.listing_path,
            dateline=e.dateline,
            views_words=tuple(e.views_words),
            attribution_phrases=tuple(e.attribution_phrases),
            subheads=tuple(e.subheads),
            boilerplate_phrases=tuple(e.boilerplate_phrases),
        )
        for e in raw.editions
    )
    hosts = tuple(raw.allowed_hosts)
    final_origin = (origin or raw.origin).rstrip("/")
    if origin:
        parts = urlsplit(final_origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProfileError(f"origin {origin!r} is not an http(s) URL")
        hosts = (parts.hostname,)
    return SiteProfile(
        name=raw.name,
        origin=final_origin,
        allowed_hosts=hosts,
        time_zone=raw.time_zone,
        editions=editions,
        article_path_pattern=raw.article_path_pattern,
        amp_path_pattern=raw.amp_path_pattern,
        css=dict(raw.css),
        footer_phrases=tuple(raw.footer_phrases),
        retries=RetryLimits(**raw.retries.model_dump()),
        user_agent=raw.user_agent,
        requests_per_second=raw.requests_per_second,
        max_concurrency=raw.max_concurrency,
        drift_threshold=raw.drift_threshold,
        **_optional(raw),
        version=raw.version,
        versions=_versions(raw.versions, raw.version, dict(raw.css)),
    )


def _optional(raw: ProfileFile) -> dict[str, Any]:
    """Return the optional page-field settings the profile declares (defaults otherwise)."""
    found: dict[str, Any] = {}
    for key in ("rubric_path_pattern", "tag_path_pattern"):
        if getattr(raw, key) is not None:
            found[key] = getattr(raw, key)
    if raw.image_credit_labels is not None:
        found["image_credit_labels"] = tuple(raw.image_credit_labels)
    if raw.field_floors is not None:
        found["field_floors"] = dict(raw.field_floors)
    return found


def _versions(
    raw: list[VersionEntry], base: str, css: dict[str, str]
) -> tuple[ProfileVersion, ...]:
    """Read [[versions]]: each a name, a `valid_from` date and the [css] that replaces the
    profile's from that day; none declared: the profile is its one version."""
    if not raw:
        return ()
    later = sorted(
        (ProfileVersion(v.name, v.valid_from, {**css, **v.css}) for v in raw),
        key=lambda v: v.valid_from,
    )
    if len({v.name for v in later} | {base}) != len(later) + 1:
        raise ProfileError("site profile versions must have distinct names")
    return (ProfileVersion(base, date.min, dict(css)), *later)
