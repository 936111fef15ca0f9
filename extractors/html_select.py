"""Select elements by hashed CSS-module class names (`<component>_<part>__<hash>`)."""

from __future__ import annotations

from functools import lru_cache

from lxml import etree, html


@lru_cache(maxsize=128)
def _class_xpath(prefix: str) -> etree.XPath:
    # A class token that starts with "<prefix>__", whatever the build hash after it.
    token = f" {prefix}__"
    return etree.XPath(
        f"descendant-or-self::*[contains(concat(' ', normalize-space(@class)), '{token}')]"
    )


def by_class_prefix(root: html.HtmlElement, prefix: str | None) -> list[html.HtmlElement]:
    """Return the elements under `root` (itself included) with a class `<prefix>__*`."""
    if not prefix or "'" in prefix:
        return []
    found: list[html.HtmlElement] = _class_xpath(prefix)(root)
    return found


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
