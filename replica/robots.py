"""robots.txt variants the replica can serve, to test a crawler's politeness against each.

Separate from the fault machinery (`faults.py`): a variant is a standing property of the site
("robots.txt disallows /news/x"), not a per-request accident.

- "allow": the default file, everything allowed;
- "disallow:PATH[,PATH...]": `Disallow:` lines for every user agent;
- "crawl-delay:SECONDS": everything allowed, one request per SECONDS;
- "missing": 404; "broken": bytes that are not a robots.txt; "5xx": 503 (unreachable).
"""

from __future__ import annotations

from dataclasses import dataclass

ALLOW = (
    b"# UNN replica: crawling is allowed. Feeds:\n"
    b"# /rss/news_uk.xml\n# /rss/news_en.xml\n# /rss/news_ru.xml\n"
    b"User-agent: *\nAllow: /\n"
)
BROKEN = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR not a robots file \xff\xfe"
TEXT = {"content-type": "text/plain; charset=utf-8"}


class RobotsVariantError(ValueError):
    """A robots.txt variant is unknown or malformed."""


@dataclass(frozen=True, slots=True)
class RobotsVariant:
    """Which robots.txt the replica serves."""

    spec: str = "allow"

    def __post_init__(self) -> None:
        self.response()  # fail early on a bad spec

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """Return (status, headers, body) of GET /robots.txt under this variant."""
        name, _, argument = self.spec.partition(":")
        if name == "allow":
            return 200, TEXT, ALLOW
        if name == "disallow" and argument:
            lines = "".join(f"Disallow: {p.strip()}\n" for p in argument.split(","))
            return 200, TEXT, f"User-agent: *\n{lines}".encode()
        if name == "crawl-delay" and _is_number(argument):
            return 200, TEXT, f"User-agent: *\nCrawl-delay: {argument}\nAllow: /\n".encode()
        if name == "missing":
            return 404, TEXT, b"not found"
        if name == "broken":
            return 200, TEXT, BROKEN
        if name == "5xx":
            return 503, TEXT, b"unavailable"
        raise RobotsVariantError(f"unknown robots.txt variant {self.spec!r}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
