"""An analysis without the matching features is the same analysis, less those features."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from unn_ingest.config import load_profile
from unn_ingest.extractors.analysis import analyse_page
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.replica.testing import make_site

ORIGIN = "http://127.0.0.1:8765"
FETCHED = datetime(2025, 11, 20, 12, tzinfo=UTC)


def test_leaving_the_matching_features_out_changes_nothing_else() -> None:
    site = make_site(seed=2, generated=60)
    site.set_origin(ORIGIN)
    profile = load_profile(origin=ORIGIN)
    urls = [a["url"] for a in site.truth()["articles"][:30]]
    for url in urls:
        page = FetchedPage(url, url, 200, {}, site.render(url[len(ORIGIN) :]).body, FETCHED)
        full, lean = analyse_page(page, profile), analyse_page(page, profile, matching=False)
        assert isinstance(full, AnalysedArticle) and isinstance(lean, AnalysedArticle)
        assert full.features is not None and full.facts is not None
        assert lean.features is None and lean.facts is None
        assert lean == replace(full, features=None, facts=None)
