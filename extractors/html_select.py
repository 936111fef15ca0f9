"""Select elements by hashed CSS-module class names (`<component>_<part>__<hash>`).

A page is asked for a dozen classes; one pass over its elements indexes them all, so each
question is a dictionary lookup instead of an XPath scan of the whole page.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from weakref import WeakKeyDictionary

from lxml import etree, html


class _ClassIndex:
    """The class-bearing elements under a root (itself excluded), by class token and prefix."""

    def __init__(self, root: html.HtmlElement) -> None:
        self.by_token: dict[str, list[html.HtmlElement]] = {}
        self.by_prefix: dict[str, list[html.HtmlElement]] = {}
        by_token, by_prefix = self.by_token, self.by_prefix
        for element in _WITH_CLASS(root):
            tokens, prefixes = _keys(element.get("class"))
            for token in tokens:
                _add(by_token, token, element)
            for prefix in prefixes:
                _add(by_prefix, prefix, element)


@lru_cache(maxsize=4096)  # a site's pages share a few dozen class attributes
def _keys(classes: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the distinct tokens of a class attribute and the prefixes they are under
    ("a__b__c" is under "a" and "a__b")."""
    tokens = tuple(dict.fromkeys(classes.split()))
    prefixes: dict[str, None] = {}
    for token in tokens:
        cut = token.find("__")
        while cut > 0:
            prefixes[token[:cut]] = None
            cut = token.find("__", cut + 2)
    return tokens, tuple(prefixes)


def _add(index: dict[str, list[html.HtmlElement]], key: str, element: html.HtmlElement) -> None:
    found = index.get(key)
    if found is None:
        index[key] = [element]
    else:
        found.append(element)


_WITH_CLASS = etree.XPath("descendant::*[@class]")
# One index per parsed page, built on its first query and dropped with the page. Keyed by the
# document's root, which the index never holds (no cycle keeps a page alive).
_INDEXES: WeakKeyDictionary[html.HtmlElement, _ClassIndex] = WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def _index(root: html.HtmlElement) -> tuple[html.HtmlElement, _ClassIndex]:
    document = root.getroottree().getroot()
    with _INDEXES_LOCK:
        index = _INDEXES.get(document)
        if index is None:
            index = _INDEXES[document] = _ClassIndex(document)
    return document, index


def _select(
    root: html.HtmlElement, document: html.HtmlElement, found: list[html.HtmlElement], own: bool
) -> list[html.HtmlElement]:
    """Return `found` (in document order) limited to `root`'s subtree, `root` first if `own`."""
    inside = found if root is document else [e for e in found if _is_under(e, root)]
    return [root, *inside] if own else list(inside)


def _is_under(element: html.HtmlElement, root: html.HtmlElement) -> bool:
    return any(ancestor is root for ancestor in element.iterancestors())


def forget_classes(root: html.HtmlElement) -> None:
    """Drop the class index of root's page: call after changing its elements or classes."""
    with _INDEXES_LOCK:
        _INDEXES.pop(root.getroottree().getroot(), None)


def by_class_prefix(root: html.HtmlElement, prefix: str | None) -> list[html.HtmlElement]:
    """Return the elements under `root` (itself included) with a class `<prefix>__*`."""
    if not prefix:
        return []
    document, index = _index(root)
    own = any(token.startswith(f"{prefix}__") for token in root.get("class", "").split())
    return _select(root, document, index.by_prefix.get(prefix, []), own)


def by_class(root: html.HtmlElement, name: str) -> list[html.HtmlElement]:
    """Return the elements under `root` (itself included) with the class `name`."""
    document, index = _index(root)
    own = name in root.get("class", "").split()
    return _select(root, document, index.by_token.get(name, []), own)


def first_by_class_prefix(root: html.HtmlElement, prefix: str | None) -> html.HtmlElement | None:
    """Return the first element with a class `<prefix>__*`, or None."""
    found = by_class_prefix(root, prefix)
    return found[0] if found else None


def has_class_prefix(element: html.HtmlElement, prefixes: tuple[str, ...]) -> bool:
    """Tell whether one of the element's class tokens starts with `<prefix>__`."""
    classes = element.get("class")
    if not classes or not prefixes:
        return False
    return any(token.startswith(f"{p}__") for token in classes.split() for p in prefixes)


def element_text(element: html.HtmlElement) -> str:
    """Return the text inside an element (scripts and styles excluded), unnormalised."""
    parts: list[str] = []
    _collect_text(element, parts)
    return "".join(parts)


_SKIPPED = frozenset({"script", "style", "template", "noscript"})
_BREAKS = frozenset({"br", "p", "div", "li", "h1", "h2", "h3", "h4", "td", "figcaption"})


def _collect_text(element: html.HtmlElement, parts: list[str]) -> None:
    tag = element.tag
    if not isinstance(tag, str) or tag in _SKIPPED:
        return
    if tag in _BREAKS:
        parts.append(" ")  # block boundaries separate words even when the markup does not
    if element.text:
        parts.append(element.text)
    for child in element:
        _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)
