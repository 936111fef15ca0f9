"""Normalise extracted text: Unicode NFC, one space between words, no empty paragraphs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Return the text in NFC with whitespace runs collapsed to one space and trimmed."""
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))
    return _SPACES.sub(" ", text).strip()


def normalize_paragraphs(paragraphs: Iterable[str]) -> tuple[str, ...]:
    """Return the paragraphs normalised, dropping the ones left empty."""
    cleaned = (normalize_text(p) for p in paragraphs)
    return tuple(p for p in cleaned if p)


def split_lines(text: str | None) -> tuple[str, ...]:
    """Split a plain-text extraction (one paragraph a line) into normalised paragraphs."""
    if not text:
        return ()
    return normalize_paragraphs(text.splitlines())
