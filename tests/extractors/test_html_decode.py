"""The page tree is the one trafilatura's own loader builds, without importing trafilatura."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from trafilatura.utils import load_html as trafilatura_load_html

from unn_ingest.extractors.html_decode import load_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extractors"
PAGES = sorted(FIXTURES.rglob("*.html"))

ODD_MARKUP = {
    "doctype with a slash": '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x/y">\n'
    "<html><body><p>text</p></body></html>",
    "self-closing html": '<html lang="uk"/>\n<head><title>t</title></head><body><p>x</p></body>',
    "control characters": "<html><body><p>a\x00b\x0bc\x1f\ufffe</p></body></html>",
    "xml declaration": '<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>x</p></body></html>',
    "comments and pis": "<html><body><!-- c --><?php x ?><p>x</p></body></html>",
    "not html": "just a line of text",
    "a fragment": "<p>one block</p>",
    "two blocks": "<div>one</div><div>two</div>",
    "surrogate": "<html><body><p>\ud800 x</p></body></html>",
}


def serialised(tree: etree._Element | None) -> bytes | None:
    return None if tree is None else etree.tostring(tree, encoding="utf-8")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_page_parses_to_trafilaturas_tree(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    ours, theirs = load_html(text), trafilatura_load_html(text)
    assert ours is not None and theirs is not None
    assert serialised(ours) == serialised(theirs)
    assert [type(e) for e in ours.iter()] == [type(e) for e in theirs.iter()]


@pytest.mark.parametrize("text", ODD_MARKUP.values(), ids=ODD_MARKUP.keys())
def test_odd_markup_is_repaired_and_rejected_as_trafilatura_does(text: str) -> None:
    assert serialised(load_html(text)) == serialised(trafilatura_load_html(text))


def test_analysing_a_site_page_does_not_import_trafilatura() -> None:
    # A worker re-reading the archive starts without it (0.2 s of CPU): only the fallbacks
    # (no body found, another site's page) import it.
    script = (
        "import sys\n"
        "from unn_ingest.flows.fetch import rereading\n"
        "from unn_ingest.flows.fetch.worker_init import prime\n"
        "prime()\n"
        "print('trafilatura' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
