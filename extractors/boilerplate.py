"""Recognise lines of site furniture that must never reach an article's body text.

The profile path selects the body by markup and drops furniture elements by class; these line
rules are the second net, for the fallback paths (Next.js data, trafilatura) and for markup
that drifted from the profile.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unn_ingest.extractors.profile import EditionProfile, SiteProfile

# "• 1234 views", "• 1 234 перегляди" on their own.
_VIEWS = re.compile(r"^•?\s*\d[\d\s]*\s+(?P<word>\w+)$")
# An inline related link: "<title> 26.09.24, 19:28 • 1234 views".
_RELATED = re.compile(r"\d{2}\.\d{2}\.\d{2,4},\s*\d{1,2}:\d{2}\s*•\s*\d[\d\s]*\s*\w+$")
# The currency box: "$43.17 +0.05", "€45.02 -0.11".
_CURRENCY = re.compile(r"^([$€]\s?\d+[.,]\d+\s*[+\-−]?\d*[.,]?\d*\s*)+$")
_SWITCHER = re.compile(r"^(uk|en|ru|ua)(\s+(uk|en|ru|ua)){1,3}$", re.IGNORECASE)
_POPULAR = ("popular news", "популярні новини", "популярные новости")


@lru_cache(maxsize=8)
def _site_words(
    editions: tuple[EditionProfile, ...], footer: tuple[str, ...]
) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    # Keyed on hashable parts: SiteProfile itself holds a dict and cannot be hashed.
    datelines = frozenset(e.dateline.casefold() for e in editions)
    views = frozenset(w.casefold() for e in editions for w in e.views_words)
    phrases = tuple(p.casefold() for p in footer) + tuple(
        p.casefold() for e in editions for p in e.boilerplate_phrases
    )
    return datelines, views, phrases


def is_furniture_line(line: str, profile: SiteProfile | None) -> bool:
    """Tell whether a normalised line is site furniture (dateline, views, currency, footer)."""
    folded = line.casefold()
    if _CURRENCY.match(line) or _SWITCHER.match(line) or folded in _POPULAR:
        return True
    if profile is None:
        return False
    datelines, views, phrases = _site_words(profile.editions, profile.footer_phrases)
    if folded in datelines or any(p in folded for p in phrases):
        return True
    if any(folded.startswith(d) for d in datelines) and "•" in folded:
        return True  # "Kyiv • UNN • 1234 views" when the meta block came out as one line
    match = _VIEWS.match(folded)
    if match and match.group("word") in views:
        return True
    return bool(_RELATED.search(line)) and len(line) < 400


def drop_furniture(lines: tuple[str, ...], profile: SiteProfile | None) -> tuple[str, ...]:
    """Return the lines that are not site furniture."""
    return tuple(line for line in lines if not is_furniture_line(line, profile))
