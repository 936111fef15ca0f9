"""RSS 2.0 feeds, one per edition: the latest 100 visible items, newest first.

Items carry title, description (the lead), link, a non-permalink guid, category (rubric) and
pubDate with the Kyiv offset, as public readers of unn.ua recorded them.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from unn_ingest.replica.render_index import shown_text
from unn_ingest.replica.render_page import PageContext, Rendered
from unn_ingest.replica.render_text import PREFIX, WORDS, rfc822_kyiv

FEED_SIZE = 100
FEED_TYPE = "application/rss+xml; charset=utf-8"
FEED_PATHS = {f"/rss/news_{code}.xml": code for code in ("uk", "en", "ru")}


def feed_path(edition: str) -> str:
    """Return the path of an edition's all-news feed."""
    return f"/rss/news_{edition}.xml"


def render_feed(ctx: PageContext, edition: str) -> Rendered:
    """Render the edition's RSS 2.0 feed at the context's clock."""
    items = ctx.snapshot.visible[edition][:FEED_SIZE]
    rows = []
    changed = [ctx.index.epoch]
    for entry in items:
        shown = shown_text(entry, ctx.now)
        changed.append(shown.changed_at)
        rows.append(
            "<item>"
            f"<title>{escape(shown.title)}</title>"
            f"<link>{escape(ctx.absolute(entry.path))}</link>"
            f"<description>{escape(shown.lead)}</description>"
            f'<guid isPermaLink="false">{entry.guid}</guid>'
            f"<category>{escape(entry.text.rubric)}</category>"
            f"<pubDate>{rfc822_kyiv(entry.story.published_at)}</pubDate>"
            "</item>"
        )
    last = max(changed)
    words = WORDS[edition]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>{words.site_name}: {words.latest}</title>"
        f"<link>{escape(ctx.absolute(PREFIX[edition] or '/'))}</link>"
        f"<description>{words.footer[0]}</description><language>{edition}</language>"
        f"<lastBuildDate>{rfc822_kyiv(last)}</lastBuildDate>"
        f'<atom:link href="{escape(ctx.absolute(feed_path(edition)))}" rel="self" '
        'type="application/rss+xml"/>'
        f"{''.join(rows)}</channel></rss>\n"
    )
    return Rendered(body, FEED_TYPE, last)
