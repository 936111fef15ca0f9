"""robots.txt (RFC 9309): parse a site's rules, cache them per origin, answer "may I fetch?".

Outcomes of fetching robots.txt, as the RFC has them:

- 2xx: the rules are obeyed (longest match wins, `*` and `$` understood, Crawl-delay kept);
  a file that is not a robots.txt at all (binary, HTML, no rule line) is *broken*: everything
  is allowed and the fact is recorded;
- 4xx (missing, forbidden): everything is allowed;
- 5xx or no answer (unreachable): nothing is fetched until it answers; the rules are asked
  for again after a short wait, and the requests waiting on them count as transient failures.

Rules are cached with their own expiry (the profile's `robots_cache_seconds`; an unreachable
robots.txt only until the next retry).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

MAX_ROBOTS_BYTES = 512 * 1024  # the RFC asks crawlers to read at least 500 KiB
DIRECTIVES = frozenset({"user-agent", "allow", "disallow", "crawl-delay", "sitemap"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One Allow/Disallow line as a compiled path pattern."""

    allow: bool
    pattern: str

    def match_length(self, path: str) -> int:
        """Return the pattern's length when it matches the path, else -1."""
        regex = re.escape(self.pattern).replace(r"\*", ".*")
        if regex.endswith(r"\$"):
            regex = regex[:-2] + "$"
        return len(self.pattern) if re.match(regex, path) else -1


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one origin's robots.txt allows the crawler (already picked for its user agent)."""

    state: str  # "rules", "missing", "broken", "unreachable"
    rules: tuple[Rule, ...] = ()
    crawl_delay: float | None = None
    note: str | None = None  # why the file was broken or unreachable
    expires_at: float = field(default=0.0, compare=False)  # time.monotonic()

    def allows(self, url: str) -> bool:
        """Tell whether the URL may be fetched (an unreachable robots.txt allows nothing)."""
        if self.state == "unreachable":
            return False
        parts = urlsplit(url)
        path = _normal_path(parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if path == "/robots.txt":
            return True
        best, allowed = -1, True
        for rule in self.rules:
            length = rule.match_length(path)
            # Longest match wins; on a tie, Allow wins (RFC 9309, 2.2.2).
            if length > best or (length == best and rule.allow):
                best, allowed = length, rule.allow
        return allowed

    def expired(self, now: float | None = None) -> bool:
        """Tell whether these rules should be fetched again."""
        return (time.monotonic() if now is None else now) >= self.expires_at


def robots_url(url: str) -> str:
    """Return the robots.txt URL of a URL's origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def rules_for_response(
    status: int | None, body: bytes, agent: str, expires_at: float, error: str | None = None
) -> RobotsRules:
    """Return the rules a robots.txt response gives an agent (status None: no response)."""
    if status is None or status >= 500:
        reason = error or f"HTTP {status}"
        return RobotsRules("unreachable", note=f"robots.txt unreachable ({reason})", expires_at=0)
    if status >= 400:
        return RobotsRules("missing", note=f"no robots.txt (HTTP {status})", expires_at=expires_at)
    return parse_robots(body[:MAX_ROBOTS_BYTES], agent, expires_at)


def parse_robots(body: bytes, agent: str, expires_at: float = 0.0) -> RobotsRules:
    """Parse a robots.txt body for one agent; an unreadable file allows everything (broken)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return RobotsRules("broken", note="robots.txt is not UTF-8 text", expires_at=expires_at)
    lines = [_split_line(line) for line in text.splitlines()]
    known = [(k, v) for k, v in lines if k in DIRECTIVES]
    meaningful = [line for line in text.splitlines() if line.split("#", 1)[0].strip()]
    if meaningful and not known:
        note = "robots.txt has no rule line (not a robots.txt?)"
        return RobotsRules("broken", note=note, expires_at=expires_at)
    groups = _groups(known)
    token = product_token(agent)
    chosen = [g for names, g in groups if token in names] or [
        g for names, g in groups if "*" in names
    ]
    rules = tuple(rule for group in chosen for rule in group[0])
    delays = [d for group in chosen if (d := group[1]) is not None]
    return RobotsRules("rules", rules, max(delays) if delays else None, expires_at=expires_at)


def product_token(agent: str) -> str:
    """Return a User-Agent's product token, lower-cased ("unn-ingest/0.1 (+…)": "unn-ingest")."""
    return re.split(r"[/\s]", agent.strip(), maxsplit=1)[0].lower()


Group = tuple[list[Rule], float | None]


def _groups(lines: list[tuple[str, str]]) -> list[tuple[set[str], Group]]:
    """Group rule lines under the user-agent lines that precede them."""
    groups: list[tuple[set[str], Group]] = []
    names: set[str] = set()
    rules: list[Rule] = []
    delay: float | None = None
    in_rules = False
    for key, value in lines:
        if key == "user-agent":
            if in_rules:
                groups.append((names, (rules, delay)))
                names, rules, delay, in_rules = set(), [], None, False
            names.add(value.lower())
        elif key in ("allow", "disallow"):
            in_rules = True
            if value:  # an empty Disallow allows everything: no rule
                rules.append(Rule(key == "allow", _normal_path(value)))
        elif key == "crawl-delay":
            in_rules = True
            delay = _seconds(value)
    if names:
        groups.append((names, (rules, delay)))
    return groups


def _split_line(line: str) -> tuple[str, str]:
    content = line.split("#", 1)[0]
    key, sep, value = content.partition(":")
    return (key.strip().lower(), value.strip()) if sep else ("", "")


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 3600 else None


def _normal_path(path: str) -> str:
    """Compare paths percent-decoded (except the wildcards themselves)."""
    return unquote(path)
