"""Small parsing helpers shared by the replica tests."""

from __future__ import annotations

import lxml.html
from lxml.html import HtmlElement

from unn_ingest.replica.site import ReplicaSite


def page(site: ReplicaSite, path: str, query: dict[str, str] | None = None) -> HtmlElement:
    """Render a path that must answer 200 and parse it as HTML."""
    response = site.render(path, query)
    assert response.status == 200, (path, response.status)
    return lxml.html.fromstring(response.body)


def by_class(tree: HtmlElement, prefix: str) -> list[HtmlElement]:
    """Return the elements whose class list has a class starting with `prefix`__."""
    found: list[HtmlElement] = tree.xpath(
        f'descendant-or-self::*[contains(concat(" ", @class), " {prefix}__")]'
    )
    return found


def one(tree: HtmlElement, prefix: str) -> HtmlElement:
    """Return the single element of a class prefix."""
    found = by_class(tree, prefix)
    assert len(found) == 1, (prefix, len(found))
    return found[0]


def meta(tree: HtmlElement, key: str) -> str | None:
    """Return the content of <meta property=key> or <meta name=key>."""
    found = tree.xpath(f'//meta[@property="{key}" or @name="{key}"]/@content')
    return str(found[0]) if found else None
