"""Normalise extracted text: Unicode NFC, one space between words, no empty paragraphs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
_ANY_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")


def normalize_text(text: str) -> str:
    """Return the text in NFC with whitespace runs collapsed to one space and trimmed."""
    if _ANY_INVISIBLE.search(text):  # translate() is slow on non-ASCII text: only if needed
        text = text.translate(_INVISIBLE)
    # str.split() breaks at exactly the characters `\s` matches (str.isspace)
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalize_paragraphs(paragraphs: Iterable[str]) -> tuple[str, ...]:
    """Return the paragraphs normalised, dropping the ones left empty."""
    cleaned = (normalize_text(p) for p in paragraphs)
    return tuple(p for p in cleaned if p)


def split_lines(text: str | None) -> tuple[str, ...]:
    """Split a plain-text extraction (one paragraph a line) into normalised paragraphs."""
    if not text:
        return ()
    return normalize_paragraphs(text.splitlines())
