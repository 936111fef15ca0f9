"""Load a site profile from its TOML file into the extractors' `SiteProfile` record."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from unn_ingest.extractors.profile import (
    EditionProfile,
    ProfileVersion,
    RetryLimits,
    SiteProfile,
)

PROFILE_DIR = Path(__file__).resolve().parent


class ProfileError(ValueError):
    """A site profile is missing or malformed."""


def load_profile(name: str = "unn", origin: str | None = None) -> SiteProfile:
    """Load the named profile (or a profile file, "*.toml"); an `origin` overrides its own."""
    # A path lets an operator try edited class names after a redeploy without a release.
    path = Path(name).expanduser() if name.endswith(".toml") else PROFILE_DIR / f"{name}.toml"
    if not path.is_file():
        raise ProfileError(f"no site profile named {name!r} (looked for {path})")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return _build(raw, origin)
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ProfileError(f"site profile {path.name} is malformed: {exc}") from exc


def _build(raw: dict[str, Any], origin: str | None) -> SiteProfile:
    editions = tuple(
        EditionProfile(
            code=e["code"],
            prefix=e["prefix"],
            feed_path=e["feed_path"],
            listing_path=e["listing_path"],
            dateline=e["dateline"],
            views_words=tuple(e["views_words"]),
            attribution_phrases=tuple(e["attribution_phrases"]),
            subheads=tuple(e["subheads"]),
            boilerplate_phrases=tuple(e.get("boilerplate_phrases", ())),
        )
        for e in raw["editions"]
    )
    hosts = tuple(raw["allowed_hosts"])
    final_origin = (origin or raw["origin"]).rstrip("/")
    if origin:
        parts = urlsplit(final_origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProfileError(f"origin {origin!r} is not an http(s) URL")
        hosts = (parts.hostname,)
    css = dict(raw.get("css", {}))
    version = str(raw.get("version", "default"))
    return SiteProfile(
        name=raw["name"],
        origin=final_origin,
        allowed_hosts=hosts,
        time_zone=raw["time_zone"],
        editions=editions,
        article_path_pattern=raw["article_path_pattern"],
        amp_path_pattern=raw["amp_path_pattern"],
        css=css,
        footer_phrases=tuple(raw.get("footer_phrases", ())),
        retries=_retry_limits(raw.get("retries", {})),
        user_agent=raw.get("user_agent", "unn-ingest"),
        requests_per_second=float(raw.get("requests_per_second", 1.0)),
        max_concurrency=int(raw.get("max_concurrency", 4)),
        drift_threshold=float(raw.get("drift_threshold", 0.9)),
        **_optional(raw),
        version=version,
        versions=_versions(raw.get("versions", []), version, css),
    )


def _optional(raw: dict[str, Any]) -> dict[str, Any]:
    """Return the optional page-field settings the profile declares (defaults otherwise)."""
    found: dict[str, Any] = {}
    for key in ("rubric_path_pattern", "tag_path_pattern"):
        if key in raw:
            found[key] = str(raw[key])
    if "image_credit_labels" in raw:
        found["image_credit_labels"] = tuple(raw["image_credit_labels"])
    if "field_floors" in raw:
        found["field_floors"] = {str(k): float(v) for k, v in raw["field_floors"].items()}
    return found


def _versions(
    raw: list[dict[str, Any]], base: str, css: dict[str, str]
) -> tuple[ProfileVersion, ...]:
    """Read [[versions]]: each a name, a `valid_from` date and the [css] that replaces the
    profile's from that day; none declared: the profile is its one version."""
    if not raw:
        return ()
    later = []
    for entry in raw:
        valid_from = entry["valid_from"]
        if not isinstance(valid_from, date):
            raise TypeError(f"version {entry.get('name')!r}: valid_from must be a TOML date")
        merged = {**css, **dict(entry.get("css", {}))}
        later.append(ProfileVersion(str(entry["name"]), valid_from, merged))
    later.sort(key=lambda v: v.valid_from)
    if len({v.name for v in later} | {base}) != len(later) + 1:
        raise TypeError("profile versions must have distinct names")
    return (ProfileVersion(base, date.min, dict(css)), *later)


def _retry_limits(raw: dict[str, Any]) -> RetryLimits:
    """Read the profile's [retries] table; a missing key keeps its default."""
    defaults = RetryLimits()
    unknown = set(raw) - set(RetryLimits.__dataclass_fields__)
    if unknown:
        raise KeyError(f"unknown [retries] keys: {', '.join(sorted(unknown))}")
    return RetryLimits(**{name: type(getattr(defaults, name))(raw[name]) for name in raw})
