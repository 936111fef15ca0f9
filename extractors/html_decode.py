"""Turn a fetched page's bytes into text and one lxml tree, whatever its charset claims.

Servers mislabel charsets: cp1251 bytes served as UTF-8, or no charset at all. Valid UTF-8
wins (legacy Cyrillic bytes almost never form valid UTF-8); then the declared charset, tried
strictly; then cp1251 when the non-ASCII bytes come in word-like runs, else cp1252.
"""

from __future__ import annotations

import codecs
import logging
import re

from lxml import html
from trafilatura.utils import load_html

from unn_ingest.extractors.page import FetchedPage

log = logging.getLogger(__name__)

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_HIGH_RUN = re.compile(rb"[\x80-\xff]{2,}")
_HIGH = re.compile(rb"[\x80-\xff]")


def declared_charset(page: FetchedPage) -> str | None:
    """Return the charset the page declares (header, then meta tag), if Python knows it."""
    candidates: list[str] = []
    content_type = page.header("content-type") or ""
    match = _HEADER_CHARSET.search(content_type)
    if match:
        candidates.append(match.group(1))
    meta = _META_CHARSET.search(page.body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    for name in candidates:
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return None


def decode_body(page: FetchedPage) -> str:
    """Decode the body: valid UTF-8, else the declared charset, else cp1251 or cp1252."""
    data = page.body
    declared = declared_charset(page)
    try:
        # Legacy-encoded Cyrillic text is virtually never valid UTF-8, so validity wins.
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and declared != "utf-8":
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            log.info("charset %s does not decode, guessing — %s", declared, page.url)
    guess = "cp1251" if _looks_cyrillic(data) else "cp1252"
    log.info("page %s (declared %s) decoded as %s", page.url, declared, guess)
    return data.decode(guess, errors="replace")


def _looks_cyrillic(data: bytes) -> bool:
    """Tell whether the non-ASCII bytes come in runs, as cp1251 Cyrillic words do."""
    high = len(_HIGH.findall(data))
    if high == 0:
        return False
    in_runs = sum(len(run) for run in _HIGH_RUN.findall(data))
    return in_runs / high > 0.6


def parse_html(text: str) -> html.HtmlElement | None:
    """Parse HTML text into a tree as trafilatura would; None when nothing parseable is there."""
    if not text.strip():
        return None
    # trafilatura's own loader (comments and processing instructions removed, faulty markup
    # repaired): the generic path then sees exactly the tree bare trafilatura would build.
    tree = load_html(text)
    if tree is None:
        log.info("unparseable HTML")
    return tree
