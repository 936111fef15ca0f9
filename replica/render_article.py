"""Article pages: the full Next.js-like page and the AMP page of one edition of a story."""

from __future__ import annotations

import json
from urllib.parse import quote

from unn_ingest.replica.model import Block
from unn_ingest.replica.render_index import Entry, Shown, shown_text
from unn_ingest.replica.render_page import (
    PageContext,
    Rendered,
    document_start,
    footer,
    header,
    home_paths,
    popular,
    widget,
)
from unn_ingest.replica.render_text import (
    EDITIONS,
    PREFIX,
    WORDS,
    date_text,
    esc,
    iso_kyiv,
    related_time_text,
    stable_hash,
    views_text,
)

HTML_TYPE = "text/html; charset=utf-8"
_RELATED_POOL = 30
_BLOCK_TAGS = {
    "p": ("<p>", "</p>"),
    "h2": ("<h2>", "</h2>"),
    "quote": ("<blockquote>", "</blockquote>"),
}


def has_next_data(seed: int, story_id: str) -> bool:
    """Return True for the ~1/3 of stories whose pages embed a __NEXT_DATA__ script."""
    return stable_hash(seed, "next-data", story_id) % 3 == 0


def switch_targets(ctx: PageContext, entry: Entry) -> dict[str, str]:
    """Return where the switcher's uk/en/ru anchors point for this story's link variant."""
    targets = home_paths()
    if entry.story.link_variant == "home":
        return targets
    for code in EDITIONS:
        other = ctx.index.entry(entry.story.story_id, code)
        if other is not None and other.visible_from <= ctx.now:
            targets[code] = other.path
    return targets


def article_page(ctx: PageContext, entry: Entry) -> Rendered:
    """Render the full article page of one edition."""
    shown = shown_text(entry, ctx.now)
    targets = switch_targets(ctx, entry)
    body = "".join(
        (
            document_start(
                entry.edition,
                f"{shown.title} | {WORDS[entry.edition].site_name}",
                _head_meta(ctx, entry, shown),
            ),
            header(ctx, entry.edition, targets),
            f'<main class="{ctx.css["layout_main"]}">',
            widget(ctx, entry.edition, exclude=entry),
            _article(ctx, entry, shown),
            popular(ctx, entry.edition, exclude=entry),
            "</main>",
            footer(ctx, entry.edition),
            _next_data(ctx, entry, shown) if has_next_data(ctx.seed, entry.story.story_id) else "",
            "</body></html>",
        )
    )
    version = f"{entry.path}|{shown.version}|{'|'.join(targets.values())}|{ctx.origin}"
    return Rendered(body, HTML_TYPE, shown.changed_at, version)


def _head_meta(ctx: PageContext, entry: Entry, shown: Shown) -> str:
    """Return the article's description, Open Graph, canonical, AMP and hreflang links."""
    url = ctx.absolute(entry.path)
    parts = [
        f'<meta name="description" content="{esc(shown.lead)}">',
        f'<meta property="og:title" content="{esc(shown.title)}">',
        f'<meta property="og:description" content="{esc(shown.lead)}">',
        f'<meta property="og:image" content="{ctx.absolute(entry.story.image_path)}">',
        f'<meta property="og:url" content="{url}">',
        '<meta property="og:type" content="article">',
        f'<meta property="article:published_time" content="{iso_kyiv(entry.story.published_at)}">',
        f'<meta property="article:section" content="{esc(entry.text.rubric)}">',
    ]
    if shown.version > 0:
        parts.append(
            f'<meta property="article:modified_time" content="{iso_kyiv(shown.changed_at)}">'
        )
    parts.append(f'<link rel="canonical" href="{url}">')
    parts.append(f'<link rel="amphtml" href="{ctx.absolute(entry.amp_path)}">')
    if entry.story.link_variant == "hreflang":
        parts.append(_hreflang(ctx, entry))
    return "".join(parts)


def _hreflang(ctx: PageContext, entry: Entry) -> str:
    """Return alternate links to every visible edition plus x-default (uk if present)."""
    found = [
        other
        for code in EDITIONS
        if (other := ctx.index.entry(entry.story.story_id, code)) is not None
        and other.visible_from <= ctx.now
    ]
    links = [
        f'<link rel="alternate" hreflang="{e.edition}" href="{ctx.absolute(e.path)}">'
        for e in found
    ]
    if found:
        links.append(
            f'<link rel="alternate" hreflang="x-default" href="{ctx.absolute(found[0].path)}">'
        )
    return "".join(links)


def _article(ctx: PageContext, entry: Entry, shown: Shown) -> str:
    """Return the <article>: title, meta line, lead, figure, body and tags."""
    css, text, words = ctx.css, entry.text, WORDS[entry.edition]
    when = entry.story.published_at
    credit = (
        f"<figcaption>{words.photo_credit}: {esc(text.photo_credit)}</figcaption>"
        if text.photo_credit
        else ""
    )
    tags = "".join(
        f'<a href="{PREFIX[entry.edition]}/tags/{quote(tag)}">{esc(tag)}</a>' for tag in text.tags
    )
    return (
        f'<article class="{css["single-news-card_root"]}">'
        f'<h1 class="{css["single-news-card_newsTitle"]}">{esc(shown.title)}</h1>'
        f'<div class="{css["single-news-card_meta"]}">'
        f'<span class="{css["single-news-card_dateline"]}">{words.dateline}</span> '
        f'<time class="{css["single-news-card_date"]}" datetime="{iso_kyiv(when)}">'
        f"{date_text(entry.edition, when)}</time> "
        f'<span class="{css["single-news-card_views"]}">'
        f"{views_text(entry.edition, ctx.views(entry))}</span> "
        f'<a class="{css["single-news-card_rubric"]}" '
        f'href="{PREFIX[entry.edition]}/{entry.story.rubric_key}">{esc(text.rubric)}</a></div>'
        f'<div class="{css["single-news-card_announce"]}">{esc(shown.lead)}</div>'
        f'<figure class="{css["single-news-card_image"]}"><img src="{entry.story.image_path}" '
        f'alt="{esc(shown.title)}" width="1200" height="675">{credit}</figure>'
        f'<div class="{css["single-news-card_body"]}">{body_html(ctx, entry, shown)}</div>'
        # The author's name follows the body, as on the stored seed page.
        f'<div class="{css["single-news-card_author"]}">{esc(text.author)}</div>'
        f'<div class="{css["single-news-card_tags"]}">{tags}</div></article>'
    )


def blocks_html(blocks: tuple[Block, ...]) -> list[str]:
    """Return the HTML of each body block: <p>, <h2> or <blockquote>."""
    out = []
    for block in blocks:
        start, end = _BLOCK_TAGS[block.kind]
        out.append(f"{start}{esc(block.text)}{end}")
    return out


def body_html(ctx: PageContext, entry: Entry, shown: Shown, amp: bool = False) -> str:
    """Return the body blocks with inline related links inserted among them."""
    parts = blocks_html(shown.blocks)
    related = related_entries(ctx, entry, _related_count(len(parts)))
    slots = _related_slots(shown.blocks)
    # Seen live: an en AMP page showed a related link's title in Ukrainian (one page in four).
    foreign = amp and entry.edition == "en" and stable_hash(ctx.seed, "amp-uk", entry.path) % 4 == 0
    for slot, other in reversed(list(zip(slots, related, strict=False))):
        parts.insert(slot, _related_html(ctx, _uk_twin(ctx, other) if foreign else other, other))
    return "".join(parts)


def _uk_twin(ctx: PageContext, entry: Entry) -> Entry:
    """Return the story's visible uk edition, or the entry itself when there is none."""
    twin = ctx.index.entry(entry.story.story_id, "uk")
    return twin if twin is not None and twin.visible_from <= ctx.now else entry


def _related_slots(blocks: tuple[Block, ...]) -> list[int]:
    """Return where related links go: after a paragraph, early and about two thirds in."""
    after_paragraph = [i for i in range(2, len(blocks)) if blocks[i - 1].kind == "p"]
    if not after_paragraph:
        return []
    late = [i for i in after_paragraph if i >= (len(blocks) * 2) // 3 and i > after_paragraph[0]]
    return after_paragraph[:1] + late[:1]


def _related_count(blocks: int) -> int:
    """Return how many inline related links a body of this many blocks gets."""
    return 0 if blocks < 3 else 1 if blocks < 8 else 2


def related_entries(ctx: PageContext, entry: Entry, count: int) -> list[Entry]:
    """Pick (deterministically) earlier visible stories of the same edition to link to."""
    if count == 0:
        return []
    pool = [e for e in ctx.index.earlier(entry, _RELATED_POOL) if e.visible_from <= ctx.now]
    pool.sort(key=lambda e: stable_hash(ctx.seed, "related", entry.path, e.path))
    return pool[:count]


def _related_html(ctx: PageContext, titled: Entry, other: Entry) -> str:
    """Return one inline related link to `other` (title from `titled`): time and views."""
    title = shown_text(titled, ctx.now).title
    return (
        f'<p class="{ctx.css["related-news_root"]}"><a href="{other.path}">{esc(title)}</a> '
        f"{related_time_text(other.story.published_at)} "
        f"{views_text(other.edition, ctx.views(other))}</p>"
    )


def _next_data(ctx: PageContext, entry: Entry, shown: Shown) -> str:
    """Return the __NEXT_DATA__ script carrying the article as JSON."""
    article = {
        "title": shown.title,
        "lead": shown.lead,
        "body": "".join(blocks_html(shown.blocks)),
        "author": entry.text.author,
        "rubric": entry.text.rubric,
        "tags": list(entry.text.tags),
        "publishedAt": iso_kyiv(entry.story.published_at),
        "image": ctx.absolute(entry.story.image_path),
        "slug": entry.text.slug,
        "lang": entry.edition,
    }
    data = {
        "props": {"pageProps": {"article": article}},
        "page": "/news/[slug]",
        "query": {"slug": entry.text.slug},
        "buildId": ctx.css["build_id"].rsplit("__", 1)[1],
    }
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script id="__NEXT_DATA__" type="application/json">{payload}</script>'


def amp_page(ctx: PageContext, entry: Entry) -> Rendered:
    """Render the AMP page of one edition: simpler markup plus author and rubric."""
    shown = shown_text(entry, ctx.now)
    text, words = entry.text, WORDS[entry.edition]
    # The real ru AMP pages use the Ukrainian word for views: imperfect localisation.
    views_edition = "uk" if entry.edition == "ru" else entry.edition
    when = entry.story.published_at
    body = (
        f'<!doctype html><html amp lang="{entry.edition}"><head><meta charset="utf-8">'
        f"<title>{esc(shown.title)}</title>"
        f'<link rel="canonical" href="{ctx.absolute(entry.path)}">'
        '<meta name="viewport" content="width=device-width">'
        f'<meta property="article:published_time" content="{iso_kyiv(when)}">'
        '<script async src="https://cdn.ampproject.org/v0.js"></script>'
        "<style amp-boilerplate>body{visibility:hidden}</style></head><body>"
        f'<header class="amp-header"><a href="{PREFIX[entry.edition] or "/"}">'
        f"{words.site_name}</a></header>"
        f'<article class="amp-article"><h1 class="amp-title">{esc(shown.title)}</h1>'
        f'<div class="amp-meta"><span class="amp-author">{esc(text.author)}</span> '
        f'<a class="amp-rubric" href="{PREFIX[entry.edition]}/{entry.story.rubric_key}">'
        f"{esc(text.rubric)}</a> "
        f'<time datetime="{iso_kyiv(when)}">{date_text(entry.edition, when)}</time> '
        f'<span class="amp-views">{views_text(views_edition, ctx.views(entry))}</span></div>'
        f'<p class="amp-lead">{esc(shown.lead)}</p>'
        f'<amp-img src="{entry.story.image_path}" alt="{esc(shown.title)}" width="1200" '
        'height="675" layout="responsive"></amp-img>'
        f'<div class="amp-body">{body_html(ctx, entry, shown, amp=True)}</div></article>'
        f'<footer class="amp-footer"><p>{words.footer[0]}</p></footer></body></html>'
    )
    version = f"amp|{entry.path}|{shown.version}|{ctx.origin}"
    return Rendered(body, HTML_TYPE, shown.changed_at, version)
