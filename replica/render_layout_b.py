"""Layout b: a second, independent markup of the full article page (`--layout b`).

Written from the site notes (../shared/docs/unn-site.md) and the stored seed page, not from
layout a's templates, so that the extractors are tested against markup they were not built
for. What the facts fix, it keeps: the text order currency box, `uk en ru` switcher, a widget
of ~10 stories, rubric menu, footer lines, then the article (title, dateline, views, lead,
image with the title repeated, body with subheads and inline related links
"<title> DD.MM.YY, HH:MM • N views", the author's name after the body), then popular news.
What the facts leave open, it chooses differently from layout a: other component names and
hashes, no <article>, <nav>, <aside> or <footer> element, a switcher of `УКР ENG РУС` labels in
a list without `hreflang`, subheads as <h3>, inline related links without a class (the whole
line one link), a breadcrumb (site, rubric link) above the headline, no Next.js data. Ground
truth is the same for both layouts.
"""

from __future__ import annotations

from urllib.parse import quote

from unn_ingest.replica.model import Block
from unn_ingest.replica.render_article import HTML_TYPE, related_entries, switch_targets
from unn_ingest.replica.render_index import Entry, Shown, shown_text
from unn_ingest.replica.render_page import PageContext, Rendered
from unn_ingest.replica.render_text import (
    EDITIONS,
    PREFIX,
    WORDS,
    card_time_text,
    currency_text,
    date_text,
    esc,
    iso_kyiv,
    kyiv,
    related_time_text,
    views_text,
)
from unn_ingest.replica.translit import slugify

LAYOUT_B = "b"
_LABELS = {"uk": "УКР", "en": "ENG", "ru": "РУС"}
_WIDGET = 10
_POPULAR = 5
_TAGS = {"p": "p", "h2": "h3", "quote": "blockquote"}


def article_page_b(ctx: PageContext, entry: Entry) -> Rendered:
    """Render the full article page of one edition in layout b."""
    shown = shown_text(entry, ctx.now)
    targets = switch_targets(ctx, entry)
    words = WORDS[entry.edition]
    body = "".join(
        (
            f'<!DOCTYPE html><html lang="{entry.edition}"><head><meta charset="utf-8">',
            f"<title>{esc(shown.title)} — {words.site_name}</title>",
            _head(ctx, entry, shown),
            f'</head><body><div id="__next"><div class="{ctx.css["app-shell_page"]}">',
            _top_bar(ctx, entry.edition, targets),
            _latest(ctx, entry),
            _sections(ctx, entry.edition),
            _legal(ctx, entry.edition),
            _post(ctx, entry, shown),
            _top_read(ctx, entry),
            "</div></div></body></html>",
        )
    )
    version = f"b|{entry.path}|{shown.version}|{'|'.join(targets.values())}|{ctx.origin}"
    return Rendered(body, HTML_TYPE, shown.changed_at, version)


def _head(ctx: PageContext, entry: Entry, shown: Shown) -> str:
    url = ctx.absolute(entry.path)
    parts = [
        f'<link rel="canonical" href="{url}">',
        f'<meta property="og:url" content="{url}">',
        f'<meta property="og:title" content="{esc(shown.title)}">',
        f'<meta property="og:description" content="{esc(shown.lead)}">',
        f'<meta name="description" content="{esc(shown.lead)}">',
        f'<meta property="og:image" content="{ctx.absolute(entry.story.image_path)}">',
        f'<meta property="article:published_time" content="{iso_kyiv(entry.story.published_at)}">',
        f'<meta property="article:section" content="{esc(entry.text.rubric)}">',
    ]
    if shown.version > 0:
        parts.append(
            f'<meta property="article:modified_time" content="{iso_kyiv(shown.changed_at)}">'
        )
    if entry.story.link_variant == "hreflang":
        for code in EDITIONS:
            other = ctx.index.entry(entry.story.story_id, code)
            if other is not None and other.visible_from <= ctx.now:
                parts.append(
                    f'<link rel="alternate" href="{ctx.absolute(other.path)}" hreflang="{code}">'
                )
    return "".join(parts)


def _top_bar(ctx: PageContext, edition: str, targets: dict[str, str]) -> str:
    css = ctx.css
    usd, eur = currency_text(ctx.seed, ctx.now)
    rates = "".join(
        f'<div class="{css["rates-box_rate"]}">{value}<i>{change}</i></div>'
        for value, change in (usd.split(" "), eur.split(" "))
    )
    items = "".join(
        f'<li class="{css["locale-menu_item"]}"><a href="{targets[code]}">{_LABELS[code]}</a></li>'
        for code in EDITIONS
    )
    return (
        f'<div class="{css["top-bar_wrap"]}"><a class="{css["top-bar_brand"]}" '
        f'href="{PREFIX[edition] or "/"}"><img src="/logo.svg" alt="{WORDS[edition].site_name}">'
        f'</a><div class="{css["rates-box_list"]}">{rates}</div>'
        f'<ul class="{css["locale-menu_items"]}">{items}</ul></div>'
    )


def _tile(ctx: PageContext, entry: Entry) -> str:
    css, words, story = ctx.css, WORDS[entry.edition], entry.story
    flag = f"<em>{words.exclusive}</em>" if story.exclusive else ""
    badges = {"Photo": words.photo, "Video": words.video}
    glued = "".join(f"<b>{badges.get(b, b)}</b>" for b in story.badges)
    return (
        f'<div class="{css["story-tile_card"]}"><a href="{entry.path}">{flag}'
        f'<p class="{css["story-tile_name"]}">{esc(shown_text(entry, ctx.now).title)}{glued}</p>'
        f'</a><div class="{css["story-tile_info"]}"><span>'
        f"{card_time_text(entry.edition, story.published_at, ctx.now)}</span> "
        f"<span>{views_text(entry.edition, ctx.views(entry))}</span></div></div>"
    )


def _latest(ctx: PageContext, entry: Entry) -> str:
    picked = [e for e in ctx.snapshot.visible[entry.edition][: _WIDGET + 1] if e is not entry]
    tiles = "".join(_tile(ctx, e) for e in picked[:_WIDGET])
    return f'<div class="{ctx.css["latest-feed_column"]}">{tiles}</div>'


def _sections(ctx: PageContext, edition: str) -> str:
    links = "".join(
        f'<a href="{PREFIX[edition]}/{key}">{name}</a>' for key, name in WORDS[edition].rubrics
    )
    return f'<div class="{ctx.css["sections-nav_list"]}">{links}</div>'


def _legal(ctx: PageContext, edition: str) -> str:
    year = kyiv(ctx.now).year
    lines = "".join(f"<p>{line.format(year=year)}</p>" for line in WORDS[edition].footer)
    return f'<div class="{ctx.css["site-info_legal"]}">{lines}</div>'


def _post(ctx: PageContext, entry: Entry, shown: Shown) -> str:
    css, words, text = ctx.css, WORDS[entry.edition], entry.text
    when = entry.story.published_at
    credit = (
        f"<span>{words.photo_credit}: {esc(text.photo_credit)}</span>" if text.photo_credit else ""
    )
    labels = "".join(
        f'<a href="{PREFIX[entry.edition]}/tags/{quote(tag)}">#{esc(tag)}</a>' for tag in text.tags
    )
    author = f"{PREFIX[entry.edition]}/authors/{slugify(text.author, entry.edition)}"
    home = PREFIX[entry.edition] or "/"
    rubric = f"{PREFIX[entry.edition]}/{entry.story.rubric_key}"
    return (
        f'<div class="{css["news-page_content"]}">'
        f'<div class="{css["post-header_trail"]}"><a href="{home}">{words.site_name}</a> / '
        f'<a href="{rubric}">{esc(text.rubric)}</a></div>'
        f'<h1 class="{css["post-header_heading"]}">{esc(shown.title)}</h1>'
        f'<div class="{css["post-header_info"]}"><span>{words.dateline}</span> '
        f"<span>{views_text(entry.edition, ctx.views(entry))}</span> "
        f'<time datetime="{iso_kyiv(when)}">{date_text(entry.edition, when)}</time></div>'
        f'<p class="{css["post-body_standfirst"]}"><b>{esc(shown.lead)}</b></p>'
        f'<div class="{css["post-media_box"]}"><img src="{entry.story.image_path}" '
        f'alt="{esc(shown.title)}"><div class="{css["post-media_caption"]}">{esc(shown.title)}'
        f"{credit}</div></div>"
        f'<div class="{css["post-body_content"]}">{_body(ctx, entry, shown)}</div>'
        f'<div class="{css["post-footer_byline"]}"><a href="{author}">{esc(text.author)}</a></div>'
        f'<div class="{css["post-footer_labels"]}">{labels}</div></div>'
    )


def _body(ctx: PageContext, entry: Entry, shown: Shown) -> str:
    """Return the body blocks with one or two inline related links (no class) among them."""
    parts = [_block(b) for b in shown.blocks]
    count = 0 if len(parts) < 3 else 1 if len(parts) < 7 else 2
    slots = [i for i in range(1, len(parts)) if shown.blocks[i - 1].kind == "p"]
    chosen = [slots[len(slots) // 2], slots[-1]] if len(slots) > 1 else slots
    related = related_entries(ctx, entry, count)
    for slot, other in reversed(list(zip(sorted(set(chosen)), related, strict=False))):
        parts.insert(slot, _related(ctx, other))
    return "".join(parts)


def _block(block: Block) -> str:
    tag = _TAGS[block.kind]
    inner = f"<p>{esc(block.text)}</p>" if tag == "blockquote" else esc(block.text)
    return f"<{tag}>{inner}</{tag}>"


def _related(ctx: PageContext, other: Entry) -> str:
    title = shown_text(other, ctx.now).title
    return (
        f'<p><a href="{other.path}"><span>{esc(title)}</span> '
        f"<span>{related_time_text(other.story.published_at)}</span> "
        f"<span>{views_text(other.edition, ctx.views(other))}</span></a></p>"
    )


def _top_read(ctx: PageContext, entry: Entry) -> str:
    pool = [e for e in ctx.snapshot.visible[entry.edition][:40] if e is not entry]
    top = sorted(pool, key=lambda e: (-ctx.views(e), e.path))[:_POPULAR]
    tiles = "".join(_tile(ctx, e) for e in top)
    return (
        f'<div class="{ctx.css["top-read_block"]}"><h2>{WORDS[entry.edition].popular}</h2>'
        f"{tiles}</div>"
    )
