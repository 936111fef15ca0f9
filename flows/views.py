"""Rich renderings of run summaries, stories and articles for the terminal."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from flows.report import COUNTERS


def summary_table(summary: dict[str, Any]) -> Table:
    """Return a run summary as a table: one row per edition, then failures counted."""
    table = Table(title="run summary", title_justify="left")
    table.add_column("edition")
    for name in COUNTERS:
        table.add_column(name, justify="right")
    for edition, counts in summary["editions"].items():
        style = "bold" if edition == "total" else None
        table.add_row(edition, *(str(counts[c]) for c in COUNTERS), style=style)
    failures = summary.get("failures", [])
    if failures:
        table.caption = (
            f"{len(failures)} failure(s); first: {failures[0]['url']}: {failures[0]['reason']}"
        )
    return table


def stories_table(stories: list[Any], title: str = "stories") -> Table:
    """Return story summaries as a table with one line per edition."""
    table = Table(title=title, title_justify="left", show_lines=True)
    for name in ("story", "published (UTC)", "ed.", "title", "linked by"):
        table.add_column(name, overflow="fold")
    for story in stories:
        when = story.published_at.strftime("%Y-%m-%d %H:%M") if story.published_at else ""
        for i, ed in enumerate(story.editions):
            score = (
                f" {ed.link_score:.2f}"
                if ed.link_score is not None and ed.link_method == "content"
                else ""
            )
            table.add_row(
                str(story.id) if i == 0 else "",
                when if i == 0 else "",
                ed.edition,
                ed.title[:90],
                ed.link_method + score,
            )
    return table


def article_table(view: Any) -> Table:
    """Return one stored article's fields as a two-column table."""
    table = Table(show_header=False, title=view.title, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    fields = (
        *("id", "story_id", "edition", "url", "published_at", "authors", "rubric", "tags"),
        *("image_url", "lang_detected", "lang_confidence", "lang_mismatch", "link_method"),
        *("link_score", "content_hash", "duplicate_of"),
    )
    for name in fields:
        table.add_row(name, _text(getattr(view, name, None)))
    table.add_row("lead", view.lead)
    table.add_row("body", view.body[:1500] + ("…" if len(view.body) > 1500 else ""))
    table.add_row("revisions", str(len(view.revisions)))
    return table


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
