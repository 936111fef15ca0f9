"""Fuzz the parsers' entry points with a seeded mutator: only typed results come out.

Each case starts from a real replica page (feed, listing, article, AMP) and applies a few
mutations drawn from a seeded RNG: cuts, deletions, repeats, random bytes, and snippets known
to upset parsers. The run is bounded in time (UNN_INGEST_FUZZ_SECONDS, default 3 s in all) and
reproducible: a failure prints the seed and case number that made it.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from unn_ingest.config import load_profile
from unn_ingest.extractors.analysis import AnalysisFailure, analyse_page
from unn_ingest.extractors.discovery import Discovery, parse_feed, parse_listing
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.extractors.urls import article_key
from unn_ingest.replica.testing import make_site

ORIGIN = "http://127.0.0.1:8765"
SEED = int(os.environ.get("UNN_INGEST_FUZZ_SEED", "14"))
BUDGET = float(os.environ.get("UNN_INGEST_FUZZ_SECONDS", "3")) / 3  # per entry point
SNIPPETS = (
    b"&",
    b"&#99999999999;",
    b"&#x110000;",
    b"&#0;",
    b"<![CDATA[",
    b"]]>",
    b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
    b'<meta property="og:image" content="http://[::1/img.webp">',
    b'<meta property="article:published_time" content="0001-01-01T00:00:00+05:00">',
    b'<meta property="article:published_time" content="99999-12-31">',
    b'<script type="application/ld+json">{"@type":"NewsArticle","author":[{"name":[1]}]}</script>',
    b'<script id="__NEXT_DATA__">{"props":{"pageProps":{"article":{"body":7}}}}</script>',
    b'<a href="http://[::1/news/x">x</a>',
    b'<a href="http://127.0.0.1:99999/news/x">x</a>',
    b'<link rel="canonical" href="http://[bad">',
    b"<time datetime='yesterday'>",
    b"<pubDate>Mon, 99 Foo 99999 99:99:99 +9999</pubDate>",
    b"\x00",
    b"\xff\xfe",
    b"\xed\xa0\x80",
    b"</html>",
    b"<div>" * 300,
)


def mutate(body: bytes, rng: random.Random) -> bytes:
    """Return `body` after one to four random mutations."""
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(body) + 1)
        kind = rng.randrange(6)
        if kind == 0:
            body = body[:at]
        elif kind == 1:
            body = body[:at] + body[at + rng.randint(1, 2000) :]
        elif kind == 2:
            body = body[:at] + body[at : at + rng.randint(1, 500)] * rng.randint(2, 5) + body[at:]
        elif kind == 3:
            body = body[:at] + rng.randbytes(rng.randint(1, 64)) + body[at:]
        else:
            body = body[:at] + rng.choice(SNIPPETS) + body[at:]
    return body


@pytest.fixture(scope="module")
def seeds() -> dict[str, list[FetchedPage]]:
    site = make_site(seed=2, generated=20)
    site.set_origin(ORIGIN)
    articles = site.truth()["articles"][:6]
    paths = {
        "feed": ["/rss/news_uk.xml", "/rss/news_en.xml", "/rss/news_ru.xml"],
        "listing": ["/news?page=1", "/en/news?page=1", "/ru/news?page=1"],
        "page": [a["url"][len(ORIGIN) :] for a in articles],
    }
    paths["page"] += [p.replace("/news/", "/amp/", 1) for p in paths["page"][:2]]
    return {
        kind: [page(ORIGIN + p, site.render(p).body) for p in kind_paths]
        for kind, kind_paths in paths.items()
    }


def page(url: str, body: bytes) -> FetchedPage:
    return FetchedPage(url, url, 200, {"content-type": "text/html"}, body, datetime.now(UTC))


def fuzz(pages: list[FetchedPage], check: Callable[[FetchedPage], None], salt: int) -> int:
    """Check mutated pages until the time budget is spent; return how many were checked."""
    rng = random.Random(SEED * 1000 + salt)
    deadline, case = time.monotonic() + BUDGET, 0
    while time.monotonic() < deadline or case < 20:
        case += 1
        seed_page = rng.choice(pages)
        body = mutate(seed_page.body, rng)
        try:
            check(FetchedPage(seed_page.url, seed_page.url, 200, {}, body, seed_page.fetched_at))
        except Exception as exc:
            raise AssertionError(f"seed {SEED}, salt {salt}, case {case}: {exc!r}") from exc
    return case


def discovery_check(
    parser: Callable[[FetchedPage, SiteProfile], Discovery],
) -> Callable[[FetchedPage], None]:
    profile = load_profile(origin=ORIGIN)

    def check(fetched: FetchedPage) -> None:
        found = parser(fetched, profile)
        assert isinstance(found, Discovery)
        assert all(article_key(i.url, profile) is not None for i in found.items)
        assert all(i.published_at is None or i.published_at.tzinfo for i in found.items)

    return check


@pytest.mark.parametrize(
    ("kind", "parser"), [("feed", parse_feed), ("listing", parse_listing)], ids=["feed", "listing"]
)
def test_discovery_parsers_give_only_discoveries(
    seeds: dict[str, list[FetchedPage]], kind: str, parser: Callable[..., Discovery]
) -> None:
    assert fuzz(seeds[kind], discovery_check(parser), salt=len(kind)) >= 20


def test_page_analysis_gives_only_articles_or_typed_failures(
    seeds: dict[str, list[FetchedPage]],
) -> None:
    profile = load_profile(origin=ORIGIN)
    crashes: list[str] = []

    def check(fetched: FetchedPage) -> None:
        result = analyse_page(fetched, profile)
        assert isinstance(result, AnalysedArticle | AnalysisFailure)
        if isinstance(result, AnalysisFailure) and "crashed" in result.reason:
            crashes.append(result.reason)

    assert fuzz(seeds["page"], check, salt=99) >= 20
    assert not crashes, sorted(set(crashes))
