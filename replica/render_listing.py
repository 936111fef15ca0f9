"""Listing pages (`/news?page=N` per edition) and the edition home pages built on page 1."""

from __future__ import annotations

from datetime import datetime

from unn_ingest.replica.render_index import Entry, shown_text
from unn_ingest.replica.render_page import (
    PageContext,
    Rendered,
    document_start,
    footer,
    header,
    home_paths,
)
from unn_ingest.replica.render_text import PREFIX, WORDS, esc, iso_kyiv, listing_time_text

PAGE_SIZE = 20
HTML_TYPE = "text/html; charset=utf-8"


def listing_items(ctx: PageContext, edition: str, page: int) -> list[Entry]:
    """Return the entries on one listing page, newest first (empty past the end)."""
    start = (page - 1) * PAGE_SIZE
    return ctx.snapshot.visible[edition][start : start + PAGE_SIZE]


def listing_page(ctx: PageContext, edition: str, page: int, home: bool = False) -> Rendered:
    """Render listing page `page` of an edition; `home` renders it as the edition home page."""
    css, words = ctx.css, WORDS[edition]
    items = listing_items(ctx, edition, page)
    rows = "".join(_item(ctx, entry) for entry in items)
    has_next = len(ctx.snapshot.visible[edition]) > page * PAGE_SIZE
    nav = ""
    if page > 1:
        nav += f'<a rel="prev" href="?page={page - 1}">←</a>'
    if has_next:
        target = f"{PREFIX[edition]}/news?page={page + 1}" if home else f"?page={page + 1}"
        nav += f'<a rel="next" href="{target}">→</a>'
    canonical = (
        ctx.absolute(PREFIX[edition] or "/")
        if home
        else ctx.absolute(f"{PREFIX[edition]}/news?page={page}")
    )
    title = f"{words.latest} | {words.site_name}"
    body = "".join(
        (
            document_start(edition, title, f'<link rel="canonical" href="{canonical}">'),
            header(ctx, edition, home_paths()),
            f'<main class="{css["layout_main"]}"><h1 class="{css["news-list_heading"]}">'
            f"{words.latest}</h1>",
            f'<div class="{css["news-list_root"]}">{rows}</div>',
            f'<nav class="{css["pagination_root"]}">{nav}</nav></main>',
            footer(ctx, edition),
            "</body></html>",
        )
    )
    return Rendered(body, HTML_TYPE, _last_change(ctx, items))


def _item(ctx: PageContext, entry: Entry) -> str:
    """Return one listing row: ISO time, DD.MM.YYYY, HH:MM and the linked title."""
    css, when = ctx.css, entry.story.published_at
    return (
        f'<div class="{css["news-list_item"]}">'
        f'<time class="{css["news-list_time"]}" datetime="{iso_kyiv(when)}">'
        f"{listing_time_text(when)}</time>"
        f'<a class="{css["news-list_title"]}" href="{entry.path}">'
        f"{esc(shown_text(entry, ctx.now).title)}</a></div>"
    )


def _last_change(ctx: PageContext, items: list[Entry]) -> datetime:
    """Return when the newest of these items appeared or was last corrected."""
    if not items:
        return ctx.index.epoch
    return max(shown_text(e, ctx.now).changed_at for e in items)
