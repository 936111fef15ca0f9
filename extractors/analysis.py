"""Turn one fetched article page into everything the pipeline stores about it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from unn_ingest.extractors.article import extract_article
from unn_ingest.extractors.fingerprint import content_hash, minhash_signature, signature_text
from unn_ingest.extractors.language import tag_article
from unn_ingest.extractors.matching import ArticleFeatures, article_features
from unn_ingest.extractors.matching_numbers import number_keys
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.profile import Furniture, SiteProfile
from unn_ingest.extractors.records import AnalysedArticle, ExtractedArticle

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AnalysisFailure:
    """Why a page gave no article."""

    url: str
    reason: str


def analyse_page(
    page: FetchedPage, profile: SiteProfile, matching: bool = True
) -> AnalysedArticle | AnalysisFailure:
    """Extract, tag and fingerprint one page; a page without an article gives a failure.

    Never raises: a crash anywhere becomes a failure naming the exception. The page is read
    with the profile version of the day it was fetched (a redesign does not rewrite the past).
    `matching`: also compute the content-matching features and number keys (a caller that
    links from the stored rows, as `reprocess` does, leaves them out: a fifth of the work).
    """
    profile = profile.at(page.fetched_at)
    try:
        article = extract_article(page, profile, strict=True)
    except Exception as exc:  # a parser bug must not lose the rest of the batch
        log.exception("extraction crashed on %s", page.url)
        return AnalysisFailure(page.url, f"extraction crashed: {_describe(exc)}")
    if article is None:
        return AnalysisFailure(page.url, _nothing_found(page))
    if not article.title or not article.paragraphs:
        return AnalysisFailure(page.url, "page has no title or no body text")
    try:
        return _analysed(article, page.fetched_at, profile, matching)
    except Exception as exc:
        log.exception("analysis crashed on %s", page.url)
        return AnalysisFailure(page.url, f"analysis crashed: {_describe(exc)}")


def _nothing_found(page: FetchedPage) -> str:
    if not 200 <= page.status < 300:
        return f"no article: HTTP {page.status}"
    if not page.body:
        return "no article: empty response"
    return "no article found on the page"


def _analysed(
    article: ExtractedArticle, fetched_at: datetime, profile: SiteProfile, matching: bool
) -> AnalysedArticle:
    lang, mismatch = tag_article(article)
    text = "\n".join((article.title, article.lead, article.body))
    signed = signature_text(article.title, article.lead, article.paragraphs)  # normalised once
    return AnalysedArticle(
        article=article,
        lang=lang,
        lang_mismatch=mismatch,
        content_hash=content_hash(article.title, article.lead, article.paragraphs),
        minhash=minhash_signature(signed),
        word_count=len(text.split()),
        fetched_at=fetched_at,
        features=features_of(0, article, profile.furniture()) if matching else None,
        # what `fact_keys` gives, without normalising again
        facts=number_keys(signed) if matching else None,
    )


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def features_of(
    article_id: int, article: ExtractedArticle, furniture: Furniture
) -> ArticleFeatures:
    """Return the content-matching features of an article (without the site's furniture)."""
    return article_features(
        article_id,
        article.edition,
        article.published_at,
        article.title,
        article.lead,
        article.paragraphs,
        article.image_url,
        furniture=furniture,
    )


def analyse_pages(
    pages: list[FetchedPage], profile: SiteProfile, matching: bool = True
) -> list[AnalysedArticle | AnalysisFailure]:
    """Analyse a batch of pages (the unit of work sent to a worker process)."""
    return [analyse_page(page, profile, matching) for page in pages]
