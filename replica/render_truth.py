"""The ground truth (`GET /__truth__`): every visible article with its true text and history.

The format is fixed by docs/site-model.md; evaluation code compares the pipeline's records
with it.
"""

from __future__ import annotations

from typing import Any

from unn_ingest.replica.clock import format_instant
from unn_ingest.replica.model import Block
from unn_ingest.replica.render_index import CatalogueIndex, Entry, shown_text
from unn_ingest.replica.render_page import PageContext


def truth_document(ctx: PageContext, index: CatalogueIndex) -> dict[str, Any]:
    """Return the truth document at the context's clock value."""
    return {
        "seed": ctx.seed,
        "now": format_instant(ctx.now),
        "origin": ctx.origin,
        "articles": [truth_article(ctx, index, entry) for entry in ctx.snapshot.all_entries()],
    }


def truth_article(ctx: PageContext, index: CatalogueIndex, entry: Entry) -> dict[str, Any]:
    """Return the truth record of one visible edition."""
    story, text = entry.story, entry.text
    shown = shown_text(entry, ctx.now)
    original = (
        index.entry(story.republication_of, entry.edition) if story.republication_of else None
    )
    return {
        "url": ctx.absolute(entry.path),
        "amp_url": ctx.absolute(entry.amp_path),
        "story_id": story.story_id,
        "edition": entry.edition,
        "language": text.true_language,
        "slug": text.slug,
        "title": shown.title,
        "lead": shown.lead,
        "body": block_texts(shown.blocks),
        "published_at": format_instant(story.published_at),
        "visible_from": format_instant(entry.visible_from),
        "author": text.author,
        "rubric": text.rubric,
        "rubric_key": f"/{story.rubric_key}",
        "tags": list(text.tags),
        "image_url": ctx.absolute(story.image_path),
        # The site repeats the headline as the image's caption (alt text or caption line).
        "image": {
            "url": ctx.absolute(story.image_path),
            "caption": shown.title,
            "credit": text.photo_credit or "",
        },
        "modified_at": format_instant(shown.changed_at) if shown.version > 0 else None,
        "sections": block_sections(shown.blocks),
        "link_variant": story.link_variant,
        "republication_of": ctx.absolute(original.path) if original is not None else None,
        "handwritten": story.handwritten,
        "revisions": [
            {
                "at": format_instant(r.replaced_at),
                "title": r.title,
                "lead": r.lead,
                "body": block_texts(r.blocks),
            }
            for r in text.revisions
            # Only texts that were public: shown after the edition appeared, replaced by now.
            if entry.visible_from < r.replaced_at <= ctx.now
        ],
    }


def block_texts(blocks: tuple[Block, ...]) -> list[str]:
    """Return the body blocks' texts in page order (paragraphs, subheads, quotes)."""
    return [block.text for block in blocks]


def block_sections(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    """Return the body split at its subheads: [{"subhead": "", "paragraphs": [...]}, ...]."""
    sections: list[dict[str, Any]] = []
    for block in blocks:
        if block.kind == "h2" or not sections:
            sections.append({"subhead": block.text if block.kind == "h2" else "", "paragraphs": []})
            if block.kind == "h2":
                continue
        sections[-1]["paragraphs"].append(block.text)
    return sections
