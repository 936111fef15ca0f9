"""Content-based edition matching: find the other editions of a story when pages carry no link.

Candidates come from blocking, never from all pairs: articles of OTHER editions published
within a time window (translations show the original's time but may appear hours later) that
share at least one key — the lead image file, the publish minute, a number or a name key.
Each candidate pair is scored (`pair_score`, a log-odds sum of image, time, numbers, names,
text similarity and length evidence), and a pair is accepted only when

- its score clears the threshold, AND
- each article is the other's best candidate in that edition, by a margin over the runner-up
  (mutual best match), AND
- neither article's story already holds an edition of the other's language (`taken`).

Incremental: `new` articles are matched against everything in `pool` (the stored articles of
the window), so an edition arriving a day after its story still finds it. The work is near
linear: articles are sorted by time and each key's postings are cut to the window by bisection.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import chain

from unn_ingest.extractors.heap import paused_gc
from unn_ingest.extractors.linking import LinkEdge
from unn_ingest.extractors.matching_batch import PairArrays
from unn_ingest.extractors.matching_features import (
    ArticleFeatures,
    article_features,
    sketch_similarity,
)

__all__ = [
    "ArticleFeatures",
    "MatchOptions",
    "article_features",
    "match_editions",
    "pair_logit",
    "pair_score",
]


@dataclass(frozen=True, slots=True)
class MatchOptions:
    """The knobs of content matching, calibrated on the replica and on real text.

    Replica (`unn-ingest eval linking`, seeds 1 and 2, 3,000 generated stories, lead images
    ignored): wrong pairs that were each other's best candidates scored at most log-odds -0.05
    and led their runner-up by at most 1.5. Real text (`eval linking --ntrex`: NTREX news with
    professional translations, same-topic stories minutes apart): right pairs lead a
    same-topic runner-up by less than on generated text, so the margin is 1.5, not 2.0; no
    wrong pair was accepted on either at 1.0.
    """

    window: timedelta = timedelta(hours=6)
    threshold: float = 0.5  # probability a pair must reach
    margin: float = 1.5  # log-odds the best candidate must lead the runner-up by
    max_postings: int = 64  # a key shared by more articles in the window is too common to block on
    max_candidates: int = 16  # per article and edition, by shared keys, before full scoring


_CHUNK = 1024  # new articles ranked together (see `match_editions`)


def _time_evidence(a: ArticleFeatures, b: ArticleFeatures) -> float:
    if a.published_at is None or b.published_at is None:
        return 0.0
    minutes = abs((a.published_at - b.published_at).total_seconds()) / 60
    if minutes < 1:
        return 2.0  # UNN's editions show the original's publish time to the minute
    if minutes <= 15:
        return 1.0
    return -min(2.0, minutes / 120)


def _set_evidence(a: frozenset[str], b: frozenset[str], gain: float, offset: float) -> float:
    if not a or not b:
        return 0.0
    union = len(a | b)
    jaccard = len(a & b) / union
    return (gain * jaccard - offset) * min(1.0, union / 4)  # few items say little


def _name_evidence(a: frozenset[str], b: frozenset[str]) -> float:
    # English capitalises more than names ("Armed Forces"), so compare with the smaller set.
    if not a or not b:
        return 0.0
    smaller = min(len(a), len(b))
    overlap = len(a & b) / smaller
    return (4.0 * overlap - 1.5) * min(1.0, smaller / 3)


def _text_evidence(a: ArticleFeatures, b: ArticleFeatures) -> float:
    trigrams = sketch_similarity(a.sketch, b.sketch)
    stems = sketch_similarity(a.stems, b.stems)
    if "en" in (a.edition, b.edition):
        # English shares little beyond names and cognates: trigrams of whole texts tell a
        # translation from a same-topic story badly on real text, word stems well.
        return (trigrams - 0.13) * 12.5 + _clamp((stems - 0.025) * 100)
    # uk and ru transliterated share much of their spelling
    return (trigrams - 0.30) * 20 + _clamp((stems - 0.10) * 40)


def _clamp(evidence: float) -> float:
    return max(-3.0, min(5.0, evidence))


def pair_logit(a: ArticleFeatures, b: ArticleFeatures) -> float:
    """Return the log-odds that two articles of different editions are one story."""
    z = -1.5 + _time_evidence(a, b) + _text_evidence(a, b)
    if a.image and b.image:
        z += 4.0 if a.image == b.image else -3.0
    z += _set_evidence(a.numbers, b.numbers, gain=8.0, offset=2.5)
    z += _name_evidence(a.names, b.names)
    if a.length and b.length and min(a.length, b.length) / max(a.length, b.length) < 0.5:
        z -= 1.5
    return z


def _probability(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def pair_score(a: ArticleFeatures, b: ArticleFeatures) -> float:
    """Return the probability-like score (0..1) that two articles are editions of one story."""
    return _probability(pair_logit(a, b))


def _keys(item: ArticleFeatures) -> list[str]:
    keys = [f"n:{n}" for n in item.numbers] + [f"p:{p}" for p in item.names]
    if item.image:
        keys.append(f"i:{item.image}")
    if item.published_at is not None:
        keys.append(f"t:{int(item.published_at.timestamp() // 60)}")
    return keys


class _Window:
    """Articles sorted by time with per-key postings, cut to a time window by bisection."""

    def __init__(self, items: Sequence[ArticleFeatures], options: MatchOptions) -> None:
        dated = [item for item in items if item.published_at is not None]
        self.items = sorted(dated, key=lambda i: (i.published_at, i.article_id))
        self.times = [i.published_at.timestamp() for i in self.items if i.published_at]
        self.position = {item.article_id: n for n, item in enumerate(self.items)}
        self.editions = [item.edition for item in self.items]
        self.keys = [_keys(item) for item in self.items]
        self.postings: dict[str, list[int]] = {}
        for n, keys in enumerate(self.keys):
            for key in keys:
                self.postings.setdefault(key, []).append(n)
        self.options = options
        self.arrays = PairArrays(self.items)
        self.logits: dict[tuple[int, int], float] = {}
        self.ranked: dict[tuple[int, str], list[tuple[float, int]]] = {}

    def forget_before(self, n: int) -> None:
        """Drop the cached scores of items that lie more than two windows before item `n`."""
        cutoff = bisect_left(self.times, self.times[n] - 2 * self.options.window.total_seconds())
        self.logits = {k: v for k, v in self.logits.items() if k[1] >= cutoff}
        self.ranked = {k: v for k, v in self.ranked.items() if k[0] >= cutoff}

    def _sharing(self, n: int) -> Counter[int]:
        """Return {position: keys shared} of every article (any edition) sharing a key with
        item `n` in the window.

        Positions are in time order, so a posting (positions, ascending) is cut to the window
        by bisecting it for the window's first and last position.
        """
        span = self.options.window.total_seconds()
        low = bisect_left(self.times, self.times[n] - span)
        high = bisect_right(self.times, self.times[n] + span)
        most, postings = self.options.max_postings, self.postings
        shared = []
        for key in self.keys[n]:
            posting = postings[key]
            start, end = bisect_left(posting, low), bisect_left(posting, high)
            if end - start <= most:
                shared.append(posting[start:end])
        return Counter(chain.from_iterable(shared))

    def _candidates(self, n: int, editions: Collection[str]) -> dict[str, list[int]]:
        """Return, for each of `editions`, the positions of its articles sharing most keys
        with item `n` in the window (ties: the earlier position), at most `max_candidates`."""
        shared, of_edition = self._sharing(n), self.editions
        found: dict[str, list[tuple[int, int]]] = {edition: [] for edition in editions}
        for m, count in shared.items():
            chosen = found.get(of_edition[m])
            if chosen is not None:
                chosen.append((-count, m))
        cut = self.options.max_candidates
        return {edition: [m for _, m in sorted(c)[:cut]] for edition, c in found.items()}

    def rank(self, wanted: Collection[tuple[int, str]]) -> None:
        """Rank the candidates of each (position, edition) not ranked yet, scoring every pair
        not scored yet in one batch (`PairArrays.logits`)."""
        by_item: dict[int, list[str]] = {}
        for n, edition in wanted:
            if (n, edition) not in self.ranked:
                by_item.setdefault(n, []).append(edition)
        candidates = {
            (n, edition): found
            for n, editions in by_item.items()
            for edition, found in self._candidates(n, editions).items()
        }
        pairs = {(n, m) if n < m else (m, n) for (n, _), ms in candidates.items() for m in ms}
        pairs.difference_update(self.logits)
        if pairs:
            first, second = zip(*pairs, strict=True)
            self.logits.update(zip(pairs, self.arrays.logits(first, second), strict=True))
        items, logits = self.items, self.logits
        for (n, edition), found in candidates.items():
            scored = [(logits[(n, m) if n < m else (m, n)], m) for m in found]
            self.ranked[(n, edition)] = sorted(
                scored, key=lambda s: (-s[0], items[s[1]].article_id)
            )

    def logit(self, n: int, m: int) -> float:
        """Return the log-odds of the pair at positions `n` and `m` (scored by `rank`)."""
        return self.logits[(n, m) if n < m else (m, n)]

    def clear_winner(self, n: int, edition: str) -> int | None:
        """Return the position of `n`'s best candidate in `edition` if it wins clearly."""
        ranking = self.ranked[(n, edition)]
        if not ranking:
            return None
        best, m = ranking[0]
        threshold = math.log(self.options.threshold / (1 - self.options.threshold))
        if best < threshold:
            return None
        if len(ranking) > 1 and best - ranking[1][0] < self.options.margin:
            return None
        return m


def _mutual_edge(
    window: _Window, n: int, edition: str, taken: Mapping[int, Collection[str]]
) -> LinkEdge | None:
    """Return the content edge from item `n` to its mutual clear winner in `edition`, if any.

    Both rankings must have been made (`_Window.rank`)."""
    m = window.clear_winner(n, edition)
    item = window.items[n]
    if m is None or window.clear_winner(m, item.edition) != n:
        return None
    other = window.items[m].article_id
    if item.edition in taken.get(other, ()):
        return None
    a, b = sorted((item.article_id, other))
    return LinkEdge(a, b, "content", round(_probability(window.logit(n, m)), 6))


def match_editions(
    new: Sequence[ArticleFeatures],
    pool: Sequence[ArticleFeatures],
    taken: Mapping[int, Collection[str]] | None = None,
    options: MatchOptions | None = None,
) -> list[LinkEdge]:
    """Return content links from each `new` article to its mutual best match in other editions.

    `pool` is everything already stored in the window (it may include `new`); `taken` maps an
    article id to the editions its story already holds, which it cannot take a second of.
    """
    with paused_gc():  # millions of small acyclic objects (see `heap`)
        return _match_editions(new, pool, taken or {}, options or MatchOptions())


def _match_editions(
    new: Sequence[ArticleFeatures],
    pool: Sequence[ArticleFeatures],
    taken: Mapping[int, Collection[str]],
    options: MatchOptions,
) -> list[LinkEdge]:
    merged = {item.article_id: item for item in pool} | {item.article_id: item for item in new}
    window = _Window(list(merged.values()), options)
    editions = sorted({item.edition for item in window.items})
    edges: dict[tuple[int, int], LinkEdge] = {}
    # In time order and in chunks, so that scores cached for items long past can be dropped:
    # memory stays bounded by the window, not by the number of articles. A chunk's rankings are
    # made in two batches: its own items', then those of the clear winners they found.
    positions = sorted(
        window.position[i.article_id] for i in new if i.article_id in window.position
    )
    for start in range(0, len(positions), _CHUNK):
        chunk = positions[start : start + _CHUNK]
        window.forget_before(chunk[0])
        wanted = [
            (n, edition)
            for n in chunk
            for edition in editions
            if edition != window.editions[n]
            and edition not in taken.get(window.items[n].article_id, ())
        ]
        window.rank(wanted)
        winners = {(n, e): window.clear_winner(n, e) for n, e in wanted}
        window.rank([(m, window.editions[n]) for (n, _), m in winners.items() if m is not None])
        for n, edition in wanted:
            if winners[(n, edition)] is None:
                continue
            edge = _mutual_edge(window, n, edition, taken)
            if edge is not None:
                edges[(edge.a, edge.b)] = edge
    return [edges[key] for key in sorted(edges)]
