"""`unn-ingest probe URL`: fetch one live page and report what the site profile finds in it.

It answers the open questions of the site notes (feeds, alternates, metadata, where the body
is) from the live site, which no test here can reach.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table

from flows.cli import Origin, console, user_errors


def probe(
    url: Annotated[
        str, typer.Argument(help="An article URL of the site, e.g. https://unn.ua/en/news/...")
    ],
    origin: Origin = None,
) -> None:
    """Fetch one page (plus robots.txt and the feeds) and report what the profile finds."""
    with user_errors():
        table = _probe(url, origin)
    console.print(table)


def _probe(url: str, origin: str | None) -> Table:
    from config import load_profile
    from extractors.analysis import AnalysedArticle, analyse_page
    from flows.errors import OfflineError
    from flows.http import Fetcher, FetchPolicy, FetchRequest

    parts = urlsplit(url)
    base = origin or f"{parts.scheme}://{parts.netloc}"
    profile = load_profile(origin=base)
    fetcher = Fetcher(FetchPolicy.for_profile(profile, rps=2.0))
    extra = [profile.origin + "/robots.txt"] + [
        profile.origin + e.feed_path for e in profile.editions
    ]
    outcomes = fetcher.fetch_all([FetchRequest(u) for u in [url, *extra]])
    if all(o.status is None for o in outcomes):
        raise OfflineError(f"cannot reach {profile.origin}: {outcomes[0].error} (offline?)")
    table = Table(title=f"probe {url}", title_justify="left", show_header=False)
    table.add_column("question", style="bold")
    table.add_column("answer", overflow="fold")
    for outcome in outcomes[1:]:
        table.add_row(f"exists? {outcome.url}", str(outcome.status or outcome.error))
    page = outcomes[0].page
    if page is None:
        table.add_row("page", outcomes[0].error or "no page")
        return table
    result = analyse_page(page, profile)
    body = page.body.decode("utf-8", "replace")
    table.add_row("hreflang alternates (Q3)", str(body.count('hreflang="')))
    table.add_row("canonical link (Q3)", str('rel="canonical"' in body))
    table.add_row("JSON-LD (Q3)", str("application/ld+json" in body))
    table.add_row("__NEXT_DATA__ blob (Q4)", str("__NEXT_DATA__" in body))
    for role, prefix in sorted(profile.css.items()):
        table.add_row(f"css {role}", "found" if prefix + "__" in body else "missing")
    if isinstance(result, AnalysedArticle):
        a = result.article
        table.add_row("title", a.title)
        table.add_row("published (UTC)", str(a.published_at))
        table.add_row("authors / rubric", f"{', '.join(a.authors)} / {a.rubric}")
        table.add_row(
            "edition links", ", ".join(f"{link.edition}:{link.method}" for link in a.links)
        )
        table.add_row("language", f"{result.lang.language} {result.lang.confidence:.2f}")
        table.add_row("body preview", a.body[:400])
    else:
        table.add_row("article", result.reason)
    return table


def register(app: typer.Typer) -> None:
    """Add the probe command to the CLI."""
    app.command()(probe)
