"""The page chrome every HTML page shares: head, header, story widgets and footer.

Markup follows docs/site-model.md: CSS-module class names `<component>_<part>__<hash>`, the
currency box, the `uk en ru` switcher, the rubric menu, news cards, "Popular news", the footer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from unn_ingest.replica.render_index import CatalogueIndex, Entry, Snapshot, shown_text
from unn_ingest.replica.render_text import (
    EDITIONS,
    PREFIX,
    WORDS,
    Classes,
    card_time_text,
    currency_text,
    esc,
    kyiv,
    view_count,
    views_text,
)

WIDGET_SIZE = 10
POPULAR_SIZE = 5
_POPULAR_POOL = 40


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered page before HTTP concerns: text, type and validators' inputs."""

    body: str
    content_type: str
    last_modified: datetime
    version_key: str | None = None  # set: a weak ETag from this; None: a strong one from body


@dataclass(slots=True)
class PageContext:
    """What rendering needs besides the page's own subject: seed, names, origin, clock."""

    seed: int
    css: Classes
    origin: str
    index: CatalogueIndex
    snapshot: Snapshot
    _cards: dict[str, str] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        """Return the clock value this context renders at."""
        return self.snapshot.now

    def absolute(self, path: str) -> str:
        """Return the absolute URL of a site path."""
        return f"{self.origin}{path}"

    def views(self, entry: Entry) -> int:
        """Return the entry's view count at this context's time."""
        return view_count(self.seed, entry.path, entry.visible_from, self.now)

    def card(self, entry: Entry) -> str:
        """Return (cached per clock value) the news card of one story in its edition."""
        found = self._cards.get(entry.path)
        if found is None:
            found = self._cards[entry.path] = _card_html(self, entry)
        return found


def _card_html(ctx: PageContext, entry: Entry) -> str:
    """Build one news card: Exclusive label, time, views, title with glued badges."""
    css, words, story = ctx.css, WORDS[entry.edition], entry.story
    label = (
        f'<span class="{css["news-card_exclusive"]}">{words.exclusive}</span>'
        if story.exclusive
        else ""
    )
    badge_words = {"Photo": words.photo, "Video": words.video}
    badges = "".join(
        f'<span class="{css["news-card_badge"]}">{badge_words.get(b, b)}</span>'
        for b in story.badges
    )
    when = story.published_at
    return (
        f'<div class="{css["news-card_root"]}"><a class="{css["news-card_link"]}" '
        f'href="{entry.path}">{label}'
        f'<time class="{css["news-card_time"]}" datetime="{kyiv(when).isoformat()}">'
        f"{card_time_text(entry.edition, when, ctx.now)}</time>"
        f'<span class="{css["news-card_views"]}">{views_text(entry.edition, ctx.views(entry))}'
        f'</span><span class="{css["news-card_title"]}">'
        f"{esc(shown_text(entry, ctx.now).title)}{badges}</span></a></div>"
    )


def document_start(edition: str, title: str, head_extra: str) -> str:
    """Return the doctype, <head> and the opening of <body>."""
    return (
        f'<!DOCTYPE html><html lang="{edition}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)}</title>{head_extra}</head><body><div id="__next">'
    )


def header(ctx: PageContext, edition: str, switch_to: dict[str, str]) -> str:
    """Return the header: logo, currency box, language switcher, rubric menu."""
    css, words = ctx.css, WORDS[edition]
    usd, eur = currency_text(ctx.seed, ctx.now)
    boxes = "".join(
        f'<span class="{css["currency_item"]}">{value} '
        f'<span class="{css["currency_change"]}">{change}</span></span>'
        for value, change in (usd.split(" "), eur.split(" "))
    )
    links = "".join(
        f'<a class="{css["lang-switcher_link"]}'
        f'{" " + css["lang-switcher_active"] if code == edition else ""}" '
        f'hreflang="{code}" href="{switch_to[code]}">{code}</a>'
        for code in EDITIONS
    )
    menu = "".join(
        f'<a class="{css["rubric-menu_link"]}" href="{PREFIX[edition]}/{key}">{name}</a>'
        for key, name in words.rubrics
    )
    return (
        f'<header class="{css["header_root"]}"><a class="{css["header_logo"]}" '
        f'href="{PREFIX[edition] or "/"}">{words.site_name}</a>'
        f'<div class="{css["currency_root"]}">{boxes}</div>'
        f'<nav class="{css["lang-switcher_root"]}">{links}</nav>'
        f'<nav class="{css["rubric-menu_root"]}">{menu}</nav></header>'
    )


def home_paths() -> dict[str, str]:
    """Return the switcher targets that point at the edition home pages."""
    return {code: PREFIX[code] or "/" for code in EDITIONS}


def widget(ctx: PageContext, edition: str, exclude: Entry | None = None) -> str:
    """Return the ~10-story widget of the edition's latest stories."""
    picked = [e for e in ctx.snapshot.visible[edition][: WIDGET_SIZE + 1] if e is not exclude]
    cards = "".join(ctx.card(e) for e in picked[:WIDGET_SIZE])
    return f'<aside class="{ctx.css["news-feed_root"]}">{cards}</aside>'


def popular(ctx: PageContext, edition: str, exclude: Entry | None = None) -> str:
    """Return the "Popular news" section: the most viewed of the latest stories."""
    pool = [e for e in ctx.snapshot.visible[edition][:_POPULAR_POOL] if e is not exclude]
    top = sorted(pool, key=lambda e: (-ctx.views(e), e.path))[:POPULAR_SIZE]
    cards = "".join(ctx.card(e) for e in top)
    return (
        f'<section class="{ctx.css["popular-news_root"]}">'
        f'<h2 class="{ctx.css["popular-news_heading"]}">{WORDS[edition].popular}</h2>'
        f"{cards}</section>"
    )


def footer(ctx: PageContext, edition: str) -> str:
    """Return the footer with the agency's legal lines."""
    year = kyiv(ctx.now).year
    lines = "".join(
        f'<p class="{ctx.css["footer_line"]}">{line.format(year=year)}</p>'
        for line in WORDS[edition].footer
    )
    return f'<footer class="{ctx.css["footer_root"]}">{lines}</footer></div>'


def not_found_page(edition: str) -> str:
    """Return the body of the 404 page."""
    return (
        f'<!DOCTYPE html><html lang="{edition}"><head><meta charset="utf-8">'
        "<title>404</title></head><body><h1>404</h1><p>Page not found</p></body></html>"
    )
