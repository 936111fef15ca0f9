"""Selecting elements by hashed class names: same answers as a scan, from one index per page."""

from __future__ import annotations

import gc

import pytest
from lxml import html

from unn_ingest.extractors import html_select
from unn_ingest.extractors.html_select import (
    by_class,
    by_class_prefix,
    first_by_class_prefix,
    forget_classes,
)

PAGE = """<html><body class="page_root__a1">
<div class="card_root__x9 wide" id="card">
  <h1 class="card_title__q2">Title</h1>
  <div class="card_body__k3 card_body__k3--dark" id="body">
    <p class="card_body__k3-para" id="p1">one</p>
    <p class="amp-body" id="p2">two</p>
  </div>
</div>
<div class="card_root__y7" id="other"><p class="amp-body" id="p3">three</p></div>
<span class="card_title" id="no-hash">not a hashed class</span>
<span class="a__b__c" id="deep">deep</span>
</body></html>"""


def ids(elements: list[html.HtmlElement]) -> list[str | None]:
    return [e.get("id") or e.tag for e in elements]


def scan(root: html.HtmlElement, prefix: str) -> list[html.HtmlElement]:
    """The plain definition: every element from root down with a class token `prefix__*`."""
    return [
        e
        for e in root.iter()
        if isinstance(e.tag, str)
        and any(t.startswith(f"{prefix}__") for t in e.get("class", "").split())
    ]


@pytest.mark.parametrize(
    "prefix", ["card_root", "card_title", "card_body", "page_root", "a", "a__b", "missing"]
)
def test_by_class_prefix_agrees_with_a_plain_scan_in_document_order(prefix: str) -> None:
    tree = html.fromstring(PAGE)
    body = tree.body
    assert ids(by_class_prefix(tree, prefix)) == ids(scan(tree, prefix))
    assert ids(by_class_prefix(body, prefix)) == ids(scan(body, prefix))


def test_a_subtree_query_sees_only_the_subtree_and_includes_its_root() -> None:
    tree = html.fromstring(PAGE)
    card = tree.get_element_by_id("card")
    assert ids(by_class_prefix(card, "card_root")) == ["card"]
    assert ids(by_class_prefix(card, "card_body")) == ["body", "p1"]
    assert ids(by_class(card, "amp-body")) == ["p2"]
    assert ids(by_class(tree, "amp-body")) == ["p2", "p3"]
    assert first_by_class_prefix(tree.get_element_by_id("other"), "card_title") is None


def test_no_prefix_finds_nothing() -> None:
    tree = html.fromstring(PAGE)
    assert by_class_prefix(tree, None) == [] and by_class_prefix(tree, "") == []


def test_forget_classes_after_changing_the_page() -> None:
    tree = html.fromstring(PAGE)
    assert ids(by_class_prefix(tree, "card_title")) == ["h1"]
    tree.get_element_by_id("card").drop_tree()
    forget_classes(tree)
    assert by_class_prefix(tree, "card_title") == []
    assert ids(by_class_prefix(tree, "card_root")) == ["other"]


def test_the_index_goes_with_its_page() -> None:
    gc.collect()
    before = len(html_select._INDEXES)
    tree = html.fromstring(PAGE)
    by_class_prefix(tree.get_element_by_id("card"), "card_body")
    assert len(html_select._INDEXES) == before + 1
    del tree
    gc.collect()
    assert len(html_select._INDEXES) == before
