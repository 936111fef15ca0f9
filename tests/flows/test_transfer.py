"""A batch's results pickled between processes: the lean pickling gives back equal objects."""

from __future__ import annotations

import copyreg
import pickle
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.reduction import ForkingPickler

from unn_ingest.config import load_profile
from unn_ingest.extractors.analysis import AnalysisFailure, analyse_page
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.extractors.records import AnalysedArticle
from unn_ingest.flows.fetch import transfer
from unn_ingest.flows.fetch.http import FetchOutcome
from unn_ingest.flows.fetch.workers import BatchWork

SAMPLE = """<html lang="uk"><head><title>t</title>
<meta property="article:published_time" content="2025-11-20T10:00:00+02:00"></head><body>
<article><h1>Перевірка роботи</h1><p>Це перший абзац новини про роботу системи.</p>
<p>Другий абзац: 15 листопада уряд ухвалив 3 рішення.</p></article></body></html>"""


def _batch() -> BatchWork:
    url = "https://unn.ua/news/perevirka-roboty"
    when = datetime(2025, 11, 20, 10, tzinfo=UTC)
    page = FetchedPage(url, url, 200, {"etag": '"v1"'}, SAMPLE.encode(), when)
    analysed = analyse_page(page, load_profile())
    assert isinstance(analysed, AnalysedArticle)
    failure = AnalysisFailure(url + "-2", "no article text")
    outcomes = (
        FetchOutcome(url, page, 200, fetched_at=when),
        FetchOutcome(url + "-3", error="HTTP 404", fetched_at=when),
    )
    return BatchWork(outcomes, (analysed, failure), logs=(("unn_ingest", 20, "a line"),))


def test_a_batch_comes_back_equal_through_the_pool_s_pickling() -> None:
    batch = _batch()
    assert all(type(o) in copyreg.dispatch_table for o in (batch, *batch.outcomes))
    assert pickle.loads(ForkingPickler.dumps(batch)) == batch


@dataclass(frozen=True, slots=True)
class _Derived:
    """A dataclass whose __init__ does more than set its fields."""

    value: int
    double: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "double", self.value * 2)


@dataclass(frozen=True, slots=True)
class _Single:
    only: tuple[int, ...]


def test_a_class_whose_init_does_more_is_rebuilt_without_calling_it() -> None:
    transfer.register(_Derived, _Single)
    item = _Derived(3)
    object.__setattr__(item, "double", 7)  # what was sent is what comes back, not __init__'s
    back = pickle.loads(pickle.dumps(item))
    assert (back.value, back.double) == (3, 7)
    assert pickle.loads(pickle.dumps(_Single((1, 2)))) == _Single((1, 2))
