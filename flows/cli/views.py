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
        editions = " ".join(_edition_label(e) for e in story.editions)
        first = story.editions[0]
        title = first.title if len(first.title) <= 40 else first.title[:39] + "…"
        table.add_row(str(story.id), when, editions, title, _joined_by(story.editions))
    if stories:
        table.caption = "a story and its editions: unn-ingest show story:ID"
    return table


def story_table(story: Any) -> Table:
    """Return one story's editions: article id, edition, how it joined, title and URL."""
    when = story.published_at.strftime("%Y-%m-%d %H:%M UTC") if story.published_at else "-"
    table = Table(title=f"story {story.id} (first published {when})", title_justify="left")
    for name in ("article", "edition", "linked by", "title", "url"):
        table.add_column(name, justify="right" if name == "article" else "left", overflow="fold")
    for e in story.editions:
        table.add_row(str(e.article_id), e.edition, _method(e), e.title, e.url)
    table.caption = "one edition in full: unn-ingest show ARTICLE"
    return table


def _method(edition: Any) -> str:
    score = edition.link_score
    if edition.link_method == "content" and score is not None:
        return f"content {score:.2f}"
    return str(edition.link_method)


def _edition_label(edition: Any) -> str:
    """Return an edition's code, marked when the site has removed it."""
    return f"{edition.edition}(removed)" if edition.removed_at is not None else edition.edition


def _joined_by(editions: Any) -> str:
    methods = sorted({e.link_method for e in editions if e.link_method != "none"})
    if not methods:
        return "-"
    scores = [e.link_score for e in editions if e.link_method == "content" and e.link_score]
    text = "+".join(methods)
    return f"{text} {min(scores):.2f}" if scores else text


ARTICLE_FIELDS = (
    *("id", "story_id", "edition", "url", "published_at", "modified_at", "authors", "rubric"),
    *("rubric_key", "tags", "image_url", "image_caption", "image_credit", "word_count"),
    *("lang_detected", "lang_confidence", "lang_mismatch", "link_method", "link_score"),
    *("content_hash", "first_seen_at", "profile_version"),
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
    if view.removed_at is not None:
        table.add_row("removed_at", f"{_text(view.removed_at)} (HTTP {view.removed_status})")
    if view.moved_from is not None:
        table.add_row("moved_from", view.moved_from)
    if view.images:
        table.add_row("images", "\n".join(_image(i) for i in view.images))
    if view.sections:
        heads = [s["subhead"] or "(opening)" for s in view.sections]
        table.add_row("sections", " · ".join(heads))
    table.add_row("lead", view.lead)
    table.add_row("body", view.body[:1500] + ("…" if len(view.body) > 1500 else ""))
    table.add_row("revisions", str(len(view.revisions)))
    if view.story_id is not None:
        table.add_row("story", f"{view.story_id} (unn-ingest show story:{view.story_id})")
    for other in view.siblings:
        table.add_row(
            f"{other.edition} edition", f"{other.article_id} ({_method(other)}): {other.title}"
        )
    return table


def _image(image: dict[str, str]) -> str:
    extra = " — ".join(x for x in (image.get("caption"), image.get("credit")) if x)
    return f"{image['url']} ({extra})" if extra else image["url"]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
