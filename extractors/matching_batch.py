"""`pair_logit` for many pairs at once: the features of a window's articles held in arrays.

Content matching scores ~20 candidate pairs per article. One at a time in Python, the pairs cost
more than everything else matching does; here the evidence of a batch of pairs is computed with
numpy, the same floating-point operations in the same order, so each log-odds is bit for bit
what `matching.pair_logit` returns (a test checks it). Only the intersections of the number and
name sets are counted in Python, a pair at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from unn_ingest.extractors.records import ArticleFeatures

__all__ = ["PairArrays"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_BATCH = 4096  # pairs scored together: bounds the temporary arrays (~2 MB each)


def _instant(when: datetime) -> int:
    """Return `when` as whole microseconds since the epoch (naive times read as UTC)."""
    return ((when if when.tzinfo else when.replace(tzinfo=UTC)) - _EPOCH) // _MICROSECOND


def _wall(when: datetime) -> int:
    """Return the wall-clock time of `when` (its offset ignored) as microseconds since 1970."""
    return (when.replace(tzinfo=None) - _EPOCH.replace(tzinfo=None)) // _MICROSECOND


def _bit_rows(sets: Sequence[int]) -> np.ndarray:
    """Return bit sets (Python ints) as rows of 64-bit words, all of one width."""
    width = max(1, max(((value.bit_length() + 63) // 64 for value in sets), default=1)) * 8
    data = b"".join(value.to_bytes(width, "little") for value in sets)
    return np.frombuffer(data, dtype="<u8").reshape(len(sets), width // 8)


def _popcount(rows: np.ndarray) -> np.ndarray:
    """Return the number of bits set in each row."""
    counted: np.ndarray = np.bitwise_count(rows).sum(axis=1, dtype=np.int64)
    return counted


def _similarity(rows: np.ndarray, counts: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return `sketch_similarity` of rows `a` and `b`: shared bits over bits in either."""
    shared = _popcount(rows[a] & rows[b])
    union = counts[a] + counts[b] - shared
    similarity: np.ndarray = np.where(union > 0, shared / np.maximum(union, 1), 0.0)
    return similarity


class _Sets:
    """Sets of keys by position, with their sizes."""

    def __init__(self, sets: list[frozenset[str]]) -> None:
        self.sets = sets
        self.size = np.array([len(found) for found in sets], dtype=np.int64)

    def overlaps(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the sizes of the intersections of sets `a` and `b`, and of each set."""
        sets = self.sets
        shared = [len(sets[i] & sets[j]) for i, j in zip(a.tolist(), b.tolist(), strict=True)]
        return np.array(shared, dtype=np.int64), self.size[a], self.size[b]


def _clamp(evidence: np.ndarray) -> np.ndarray:
    clamped: np.ndarray = np.maximum(-3.0, np.minimum(5.0, evidence))
    return clamped


class PairArrays:
    """The features of a window's dated articles, by position, as arrays."""

    def __init__(self, items: Sequence[ArticleFeatures]) -> None:
        times = [i.published_at for i in items if i.published_at is not None]
        if len(times) != len(items):
            raise ValueError("every article of a window has a publish time")
        # Two times of one tzinfo subtract as wall-clock times (datetime's rule), others as
        # instants: both are kept so that differences are exactly `pair_logit`'s.
        self.instant = np.array([_instant(t) for t in times], dtype=np.int64)
        self.wall = np.array([_wall(t) for t in times], dtype=np.int64)
        zones: dict[int, int] = {}
        self.zone = np.array([zones.setdefault(id(t.tzinfo), len(zones)) for t in times])
        self.sketch = _bit_rows([i.sketch for i in items])
        self.sketch_bits = np.array([i.sketch.bit_count() for i in items], dtype=np.int64)
        self.stems = _bit_rows([i.stems for i in items])
        self.stem_bits = np.array([i.stems.bit_count() for i in items], dtype=np.int64)
        self.english = np.array([i.edition == "en" for i in items], dtype=bool)
        codes: dict[str, int] = {}
        self.image = np.array(
            [codes.setdefault(i.image, len(codes) + 1) if i.image else 0 for i in items],
            dtype=np.int64,
        )
        self.length = np.array([i.length for i in items], dtype=np.int64)
        self.numbers = _Sets([i.numbers for i in items])
        self.names = _Sets([i.names for i in items])

    def logits(self, first: Sequence[int], second: Sequence[int]) -> list[float]:
        """Return `pair_logit` of the articles at positions first[k] and second[k], for each k."""
        found: list[float] = []
        for start in range(0, len(first), _BATCH):
            a = np.array(first[start : start + _BATCH], dtype=np.intp)
            b = np.array(second[start : start + _BATCH], dtype=np.intp)
            found += self._logits(a, b).tolist()
        return found

    def _logits(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        z = -1.5 + self._time(a, b) + self._text(a, b)
        image_a, image_b = self.image[a], self.image[b]
        z = np.where((image_a > 0) & (image_b > 0), z + np.where(image_a == image_b, 4.0, -3.0), z)
        z = z + self._numbers(a, b)
        z = z + self._names(a, b)
        length_a, length_b = self.length[a], self.length[b]
        both = (length_a > 0) & (length_b > 0)
        ratio = np.minimum(length_a, length_b) / np.maximum(np.maximum(length_a, length_b), 1)
        logits: np.ndarray = np.where(both & (ratio < 0.5), z - 1.5, z)
        return logits

    def _time(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        apart = np.where(
            self.zone[a] == self.zone[b],
            self.wall[a] - self.wall[b],
            self.instant[a] - self.instant[b],
        )
        minutes = np.abs(apart) / 1e6 / 60
        evidence: np.ndarray = np.where(
            minutes < 1, 2.0, np.where(minutes <= 15, 1.0, -np.minimum(2.0, minutes / 120))
        )
        return evidence

    def _text(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        trigrams = _similarity(self.sketch, self.sketch_bits, a, b)
        stems = _similarity(self.stems, self.stem_bits, a, b)
        evidence: np.ndarray = np.where(
            self.english[a] | self.english[b],
            (trigrams - 0.13) * 12.5 + _clamp((stems - 0.025) * 100),
            (trigrams - 0.30) * 20 + _clamp((stems - 0.10) * 40),
        )
        return evidence

    def _numbers(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        shared, size_a, size_b = self.numbers.overlaps(a, b)
        union = np.maximum(size_a + size_b - shared, 1)
        evidence = (8.0 * (shared / union) - 2.5) * np.minimum(1.0, union / 4)
        found: np.ndarray = np.where((size_a > 0) & (size_b > 0), evidence, 0.0)
        return found

    def _names(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        shared, size_a, size_b = self.names.overlaps(a, b)
        smaller = np.maximum(np.minimum(size_a, size_b), 1)
        evidence = (4.0 * (shared / smaller) - 1.5) * np.minimum(1.0, smaller / 3)
        found: np.ndarray = np.where((size_a > 0) & (size_b > 0), evidence, 0.0)
        return found
