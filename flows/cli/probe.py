"""`unn-ingest probe URL`: fetch one live page and report what the site profile finds in it.

It answers the open questions of the site notes (feeds, robots.txt, alternates, metadata, where
the body is) from the live site, which no test here can reach.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table

from unn_ingest.flows.cli.options import (
    JsonOut,
    Origin,
    console,
    fail,
    print_json,
    usage,
    user_errors,
)
from unn_ingest.flows.errors import OfflineError

if TYPE_CHECKING:  # the pipeline is imported when a page is probed, not at every CLI start
    from lxml.html import HtmlElement

    from unn_ingest.extractors.analysis import AnalysisFailure
    from unn_ingest.extractors.page import FetchedPage
    from unn_ingest.extractors.profile import SiteProfile
    from unn_ingest.extractors.records import AnalysedArticle
    from unn_ingest.flows.fetch.http import FetchOutcome

Row = tuple[str, str]


def probe(
    url: Annotated[
        str,
        typer.Argument(help="A page of the site (--origin, else https://unn.ua), e.g. an article."),
    ],
    origin: Origin = None,
    json_out: JsonOut = False,
) -> None:
    """Fetch one page (plus robots.txt and the feeds) and report what the profile finds."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        usage(f"{url!r} is not an http(s) URL; give a page's full address, https://unn.ua/...")
    with user_errors():
        from unn_ingest.extractors.urls import site_origins, url_origin
        from unn_ingest.flows.preflight import site_profile
        from unn_ingest.flows.runtime import resolve_settings

        profile = site_profile(resolve_settings(origin=origin))  # UNN_INGEST_PROFILE's
        if url_origin(url) not in site_origins(profile):  # refused before any request
            usage(
                f"{url} is not a page of {profile.origin}; probe fetches only the site's own "
                "pages (give --origin to probe another site, such as the replica)"
            )
        rows = probe_rows(url, profile)
    _print_rows(url, rows, json_out)
    status = dict(rows).get("page")
    if status is not None:
        fail(f"{url} could not be read: {status}")


def _print_rows(url: str, rows: list[Row], json_out: bool) -> None:
    if json_out:
        print_json(dict(rows))
        return
    table = Table(title=f"probe {url}", title_justify="left", show_header=False)
    table.add_column("question", style="bold")
    table.add_column("answer", overflow="fold")
    for question, answer in rows:
        table.add_row(question, answer)
    console.print(table)


def probe_rows(url: str, profile: SiteProfile) -> list[Row]:
    """Return (question, answer) rows for one page of the site and the site's fixed files."""
    from unn_ingest.extractors.analysis import analyse_page
    from unn_ingest.flows.fetch.http import Fetcher, FetchPolicy, FetchRequest

    site_files = [profile.origin + "/robots.txt"]
    site_files += [profile.origin + e.feed_path for e in profile.editions]
    with Fetcher(FetchPolicy.for_profile(profile, rps=2.0)) as fetcher:
        page, *others = fetcher.fetch_all([FetchRequest(u) for u in [url, *site_files]])
    if all(o.status is None for o in (page, *others)):
        raise OfflineError(f"cannot reach {profile.origin}: {page.error} (offline?)")
    rows = [(f"Q1/Q2 {o.url}", _status(o)) for o in others]
    if page.page is None:
        return [*rows, ("page", _status(page))]
    return rows + _markup_rows(page.page, profile) + _article_rows(analyse_page(page.page, profile))


def _status(outcome: FetchOutcome) -> str:
    return f"HTTP {outcome.status}" if outcome.status else outcome.error or "no answer"


def _markup_rows(page: FetchedPage, profile: SiteProfile) -> list[Row]:
    from unn_ingest.extractors.drift import suggest_prefixes
    from unn_ingest.extractors.html_decode import decode_body, parse_html

    body = page.body.decode("utf-8", "replace")
    rows = [
        ("Q3 hreflang alternates", str(body.count('hreflang="'))),
        ("Q3 canonical link", str('rel="canonical"' in body)),
        ("Q3 JSON-LD", str("application/ld+json" in body)),
        ("Q4 __NEXT_DATA__ blob", str("__NEXT_DATA__" in body)),
    ]
    profile = profile.at(page.fetched_at)  # the class names of the version of that day
    for role, prefix in sorted(profile.css.items()):
        rows.append((f"css {role} ({prefix}__*)", "found" if prefix + "__" in body else "missing"))
    tree = parse_html(decode_body(page))
    if tree is None:
        return rows
    rows += _version_rows(tree, profile)
    for role, prefixes in suggest_prefixes(tree, profile.css).items():  # the drift alarm's hint
        rows.append((f"css {role}: suggested prefix", ", ".join(prefixes)))
    return rows


def _version_rows(tree: HtmlElement, profile: SiteProfile) -> list[Row]:
    """Say which profile version the fetch date picks and whose classes match the page best."""
    from unn_ingest.extractors.drift import version_matches

    versions = [(v.name, v.css) for v in profile.versions] or [(profile.version, profile.css)]
    matches = version_matches(tree, versions)
    name, found, total = max(matches, key=lambda m: m[1])
    return [
        ("profile version (by fetch date)", profile.version),
        ("profile version matching the page", f"{name} ({found}/{total} classes)"),
        *((f"  version {n}", f"{f}/{t} classes found") for n, f, t in matches),
    ]


def _article_rows(result: AnalysedArticle | AnalysisFailure) -> list[Row]:
    from unn_ingest.extractors.analysis import AnalysisFailure

    if isinstance(result, AnalysisFailure):
        return [("article", result.reason)]
    a = result.article
    return [
        ("title", a.title),
        ("published (UTC)", str(a.published_at)),
        ("authors / rubric", f"{', '.join(a.authors) or '-'} / {a.rubric or '-'}"),
        ("rubric key / tags", f"{a.rubric_key or '-'} / {', '.join(a.tags) or '-'}"),
        ("lead image", _image_text(a.image)),
        ("body images / sections", f"{len(a.images)} / {len(a.sections)}"),
        ("modified (UTC)", str(a.modified_at)),
        ("profile version used", a.profile_version or "-"),
        ("edition links", ", ".join(f"{x.edition}:{x.method}" for x in a.links) or "none"),
        (
            "language",
            f"{result.lang.language} ({result.lang.confidence:.2f}, {result.lang.method})",
        ),
        ("body preview", a.body[:400]),
    ]


def _image_text(image: object) -> str:
    url, caption, credit = (getattr(image, k, "") for k in ("url", "caption", "credit"))
    return f"{url} — {caption or '-'} ({credit or 'no credit'})" if url else "-"


def register(app: typer.Typer) -> None:
    """Add the probe command to the CLI."""
    app.command()(probe)
