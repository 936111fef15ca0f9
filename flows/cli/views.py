"""Rich renderings of run summaries, stories and articles for the terminal."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from unn_ingest.flows.report import COUNTERS
from unn_ingest.storage.rows import ArticleView


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
        table.caption = f"{len(failures)} failure(s), listed below"
    return table


FAILURES_SHOWN = 20


def failure_lines(summary: dict[str, Any]) -> list[str]:
    """Return the lines that list a run's failures (the first FAILURES_SHOWN of them)."""
    failures = summary.get("failures", [])
    lines = [f"failed ({f['stage']}): {f['url']}: {f['reason']}" for f in failures[:FAILURES_SHOWN]]
    if len(failures) > FAILURES_SHOWN:
        lines.append(
            f"... and {len(failures) - FAILURES_SHOWN} more failures: all are in the --json "
            "output, the run's *-failures artifact in Prefect, and the fetch_log table"
        )
    return lines


def link_debt_lines(summary: dict[str, Any]) -> list[str]:
    """Return what the run did about link debt and how many articles still wait for linking."""
    debt = summary.get("link_debt") or {}
    lines = []
    if debt.get("settled"):
        lines.append(
            f"linked first: {debt['settled']} articles earlier runs stored but left unlinked"
        )
    if debt.get("waiting"):
        lines.append(
            f"{debt['waiting']} articles wait for linking: the next run that covers their days "
            "links them first"
        )
    return lines


def stories_table(stories: list[Any], title: str = "stories") -> Table:
    """Return story summaries as a table: one row per story, its editions and how they joined."""
    table = Table(title=title, title_justify="left")
    table.add_column("story", justify="right", min_width=5)
    table.add_column("published UTC", min_width=16)
    table.add_column("editions", min_width=8)
    table.add_column("title")
    table.add_column("linked by", min_width=12)
    for story in stories:
        when = story.published_at.strftime("%Y-%m-%d %H:%M") if story.published_at else ""
        editions = " ".join(e.edition for e in story.editions)
        first = story.editions[0]
        title = first.title if len(first.title) <= 40 else first.title[:39] + "…"
        table.add_row(str(story.id), when, editions, title, _joined_by(story.editions))
    return table


def _joined_by(editions: Any) -> str:
    methods = sorted({e.link_method for e in editions if e.link_method != "none"})
    if not methods:
        return "-"
    scores = [e.link_score for e in editions if e.link_method == "content" and e.link_score]
    text = "+".join(methods)
    return f"{text} {min(scores):.2f}" if scores else text


ARTICLE_FIELDS = (
    *("id", "story_id", "edition", "url", "published_at", "authors", "rubric", "tags"),
    *("image_url", "lang_detected", "lang_confidence", "lang_mismatch", "link_method"),
    *("link_score", "content_hash"),
)


def article_table(view: ArticleView) -> Table:
    """Return one stored article's fields as a two-column table."""
    table = Table(show_header=False, title=view.title, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name in ARTICLE_FIELDS:
        table.add_row(name, _text(getattr(view, name)))
    if view.duplicate_of_url is not None:
        table.add_row(
            "duplicate_of", f"{view.duplicate_of_url} (score {_text(view.duplicate_score)})"
        )
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
