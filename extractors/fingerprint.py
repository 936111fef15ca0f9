"""Fingerprints of one article's text: an exact content hash and a MinHash near-dup signature.

The content hash tells a refetched page whose text changed (a correction, kept as a revision by
storage) from an unchanged one. The MinHash signature (word 5-gram shingles) finds the same
article republished under a new slug in the same edition; `NearDuplicateIndex` holds the
signatures of ONE edition and answers "which earlier article is this nearly identical to".

The threshold (`DUPLICATE_THRESHOLD`) was calibrated on the replica (republications vs
corrections vs same-topic stories) and on real pages of the Zyte benchmark, where different
articles of one site reached an estimated Jaccard of 0.58 through leftover boilerplate.
A near-duplicate also needs a second signal (real-data.md: never cluster on text similarity
alone): its number keys must agree with the original's (`NUMBERS_AGREEMENT`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache, partial

import numpy as np

from unn_ingest.extractors.heap import paused_gc
from unn_ingest.extractors.matching_numbers import number_keys

__all__ = [
    "DUPLICATE_THRESHOLD",
    "NUM_PERM",
    "Fingerprint",
    "NearDuplicateIndex",
    "article_text",
    "content_hash",
    "estimate_jaccard",
    "fact_keys",
    "find_duplicates",
    "fingerprint",
    "minhash_signature",
    "shingles",
    "signature_text",
]

NUM_PERM = 128
SHINGLE_WORDS = 5
DUPLICATE_THRESHOLD = 0.75
# Text alone is not enough: the replica (like a wire desk) reuses templates, and two aid
# packages of one donor differ only in their figures. A republication keeps all of them.
NUMBERS_AGREEMENT = 0.9
_SEED = 20251120  # fixed forever: stored signatures must stay comparable across releases
_WORD = re.compile(r"\w+")


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """Return datasketch's affine32 permutations for the seed (`MinHash(...).permutations`).

    Drawn here as datasketch draws them, so that importing this module (every worker process
    does) does not import datasketch, whose LSH module loads scipy; a test checks they agree.
    """
    draw = np.random.RandomState(_SEED)
    a = draw.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    return a, draw.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)


_A, _B = _permutations()
_EMPTY = bytes(np.full(NUM_PERM, 2**32 - 1, dtype="<u4").tobytes())  # no shingle at all


def _normalise(text: str) -> str:
    """Return `text` in NFC with runs of whitespace collapsed to one space (and stripped)."""
    return " ".join(unicodedata.normalize("NFC", text).split())  # split(): what \s matches


def article_text(title: str, lead: str, paragraphs: Sequence[str]) -> str:
    """Join an article's title, lead and paragraphs into the text its fingerprints cover."""
    parts = [_normalise(part) for part in (title, lead, *paragraphs)]
    return "\n".join(part for part in parts if part)


def signature_text(title: str, lead: str, paragraphs: Sequence[str]) -> str:
    """Return the text a near-duplicate signature covers: lead and body (title if no body).

    A republication keeps the text under a new headline, so the title is left out unless it is
    all there is.
    """
    body = article_text("", lead, paragraphs)
    return body if _words(body) >= 2 * SHINGLE_WORDS else article_text(title, lead, paragraphs)


def _words(text: str) -> int:
    """Return `len(text.split())` of an `article_text`: its parts are one space apart inside,
    stripped and non-empty, and one line break apart."""
    return text.count(" ") + text.count("\n") + 1 if text else 0


def content_hash(title: str, lead: str, paragraphs: Sequence[str]) -> str:
    """Return the sha256 hex digest of the article's NFC-normalised text."""
    return hashlib.sha256(article_text(title, lead, paragraphs).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """Return the word `size`-gram shingles of `text` (lower-cased `\\w+` tokens)."""
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    if len(words) <= size:
        # A text shorter than one shingle is one shingle, so that it still has a signature.
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def _shingle_hashes(text: str, size: int = SHINGLE_WORDS) -> np.ndarray:
    """Return the crc32 of each of `shingles(text)` (repeated shingles repeated).

    The words are joined and encoded once; each shingle is a slice of that, not a join. The
    word boundaries are the buffer's spaces (a `\\w+` word has none, and no byte of another
    character's UTF-8 is one), found with numpy.
    """
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    if len(words) <= size:
        items = [" ".join(words).encode("utf-8")] if words else []
        return np.fromiter(map(zlib.crc32, items), dtype=np.uint32, count=len(items))
    joined = " ".join(words).encode("utf-8")
    spaces = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == 32)
    count = len(words) - size + 1
    # Shingle k runs from the start of word k (after space k - 1) to the end of word
    # k + size - 1 (space k + size - 1, or the end of the buffer for the last word).
    starts = [0, *(spaces[: count - 1] + 1).tolist()]
    stops = [*spaces[size - 1 :].tolist(), len(joined)]
    pieces = map(joined.__getitem__, map(slice, starts, stops))
    return np.fromiter(map(zlib.crc32, pieces), dtype=np.uint32, count=count)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """Return MurmurHash3's 32-bit finaliser of each value (what datasketch's affine32 applies)."""
    mixed: np.ndarray = values ^ (values >> np.uint32(16))  # a new array: then in place
    mixed *= np.uint32(0x85EBCA6B)
    mixed ^= mixed >> np.uint32(13)
    mixed *= np.uint32(0xC2B2AE35)
    mixed ^= mixed >> np.uint32(16)
    return mixed


def minhash_signature(text: str) -> bytes:
    """Return the MinHash signature of `text` (word 5-grams) as 512 bytes.

    The values are datasketch's `MinHash(scheme="affine32", hashfunc=zlib.crc32)` with the
    fixed seed (a test checks they stay equal), computed here in one vectorised step instead of
    through a `MinHash` object, whose construction cost more than the hashing. A shingle seen twice
    is hashed twice: the minimum is the same.
    """
    crcs = _shingle_hashes(text)
    if not len(crcs):
        return _EMPTY
    # The permutations are affine maps modulo 2**32 (uint32 arithmetic wraps), done in place.
    permuted = np.multiply.outer(_fmix32(crcs), _A)
    permuted += _B
    least: np.ndarray = np.minimum.reduce(permuted, axis=0)
    return least.astype("<u4", copy=False).tobytes()


def _values(signature: bytes) -> np.ndarray:
    if len(signature) != NUM_PERM * 4:
        raise ValueError(f"a signature has {NUM_PERM * 4} bytes, got {len(signature)}")
    return np.frombuffer(signature, dtype="<u4")


def _is_empty(signature: bytes) -> bool:
    return signature == _EMPTY


def estimate_jaccard(a: bytes, b: bytes) -> float:
    """Estimate the Jaccard similarity of the shingle sets behind two signatures."""
    va, vb = _values(a), _values(b)
    if _is_empty(a) or _is_empty(b):
        return 0.0  # an empty text is nobody's duplicate
    return float(np.count_nonzero(va == vb)) / NUM_PERM


# What `MinHashLSH(threshold=..., num_perm=NUM_PERM)` picks for the index's own threshold (a test
# checks it): importing datasketch's LSH loads scipy, ~0.3 s of CPU in every linking process.
_KNOWN_LSH_PARAMS = {DUPLICATE_THRESHOLD - 0.1: (16, 8)}


@lru_cache(maxsize=16)
def _lsh_params(threshold: float) -> tuple[int, int]:
    """Return the (bands, rows) datasketch picks for a threshold; slow, so computed once."""
    if threshold in _KNOWN_LSH_PARAMS:
        return _KNOWN_LSH_PARAMS[threshold]
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return int(lsh.b), int(lsh.r)


class NearDuplicateIndex:
    """MinHash LSH over the signatures of ONE edition: find near-duplicates of a text.

    The banding is datasketch's (`MinHashLSH`'s bands and rows for the threshold), with each
    band's bucket keyed by that slice of the signature's bytes: the candidates are the same as
    `MinHashLSH`'s, without a `MinHash` object and a byte swap per band for every insert. A
    bucket of one key holds the key itself, not a set: most buckets have one, and a set per
    bucket (16 per insert) made the garbage collector walk the main process's whole heap.
    """

    def __init__(self, threshold: float = DUPLICATE_THRESHOLD) -> None:
        self.threshold = threshold
        # LSH recall is tuned a little below the threshold; the exact estimate filters after.
        bands, rows = _lsh_params(max(0.05, threshold - 0.1))
        self._cuts = [slice(4 * rows * band, 4 * rows * (band + 1)) for band in range(bands)]
        self._buckets: list[dict[bytes, int | set[int]]] = [{} for _ in range(bands)]
        self._signatures: dict[int, bytes] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, key: object) -> bool:
        return key in self._signatures

    def add(self, key: int, signature: bytes) -> None:
        """Index `signature` under `key`; an empty text's signature is kept out of the buckets."""
        _values(signature)  # checks the length
        self.remove(key)
        self._signatures[key] = signature
        if _is_empty(signature):
            return
        for cut, buckets in zip(self._cuts, self._buckets, strict=True):
            band = signature[cut]
            bucket = buckets.get(band)
            if bucket is None:
                buckets[band] = key
            elif isinstance(bucket, int):
                buckets[band] = {bucket, key}
            else:
                bucket.add(key)

    def remove(self, key: int) -> None:
        """Forget `key` (e.g. when its article was deleted)."""
        signature = self._signatures.pop(key, None)
        if signature is None or _is_empty(signature):
            return
        for cut, buckets in zip(self._cuts, self._buckets, strict=True):
            band = signature[cut]
            bucket = buckets[band]
            if isinstance(bucket, int):
                del buckets[band]
                continue
            bucket.discard(key)
            if len(bucket) == 1:
                buckets[band] = next(iter(bucket))

    def query(self, signature: bytes) -> list[tuple[int, float]]:
        """Return (key, estimated Jaccard) of indexed texts at or over the threshold, best first."""
        values = _values(signature)
        if _is_empty(signature):
            return []
        candidates: set[int] = set()
        for cut, buckets in zip(self._cuts, self._buckets, strict=True):
            bucket = buckets.get(signature[cut])
            if isinstance(bucket, int):
                candidates.add(bucket)
            elif bucket is not None:
                candidates.update(bucket)
        found = []
        for key in candidates:
            same = np.count_nonzero(values == np.frombuffer(self._signatures[key], dtype="<u4"))
            score = float(same) / NUM_PERM
            if score >= self.threshold:
                found.append((int(key), score))
        return sorted(found, key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """One article's near-duplicate signature with what decides which copy came first."""

    article_id: int
    edition: str
    published_at: datetime | None
    signature: bytes
    # The facts a republication keeps unchanged, or a function that returns them: they are
    # asked for only when the signature has a near-duplicate candidate (a few articles in 100).
    numbers: frozenset[str] | Callable[[], frozenset[str]] = frozenset()

    def facts(self) -> frozenset[str]:
        """Return the number keys (computed now if `numbers` is a function)."""
        return self.numbers() if callable(self.numbers) else self.numbers

    def order(self) -> tuple[float, int]:
        """Return the sort key that puts the original before its copies."""
        when = self.published_at.timestamp() if self.published_at else float("inf")
        return (when, self.article_id)


def fingerprint(
    article_id: int,
    edition: str,
    published_at: datetime | None,
    title: str,
    lead: str,
    paragraphs: Sequence[str],
) -> Fingerprint:
    """Return an article's near-duplicate fingerprint: the signature of its text, and its number
    keys as a function (`Fingerprint.facts` computes them if a near-duplicate search asks)."""
    signature = minhash_signature(signature_text(title, lead, paragraphs))
    facts = partial(fact_keys, title, lead, tuple(paragraphs))
    return Fingerprint(article_id, edition, published_at, signature, facts)


def fact_keys(title: str, lead: str, paragraphs: Sequence[str]) -> frozenset[str]:
    """Return the number keys a near-duplicate must share (of the text the signature covers)."""
    return number_keys(signature_text(title, lead, paragraphs))


def _same_facts(a: frozenset[str], b: frozenset[str]) -> bool:
    """Tell a republication (every number kept) from a templated story with other figures."""
    if not a and not b:
        return True
    return len(a & b) / len(a | b) >= NUMBERS_AGREEMENT


class _Facts(dict[int, frozenset[str]]):
    """The number keys of the fingerprints a search compared, each computed once."""

    def __init__(self, everyone: dict[int, Fingerprint]) -> None:
        super().__init__()
        self.everyone = everyone

    def __missing__(self, article_id: int) -> frozenset[str]:
        found = self[article_id] = self.everyone[article_id].facts()
        return found


def find_duplicates(
    new: Sequence[Fingerprint],
    pool: Sequence[Fingerprint] = (),
    threshold: float = DUPLICATE_THRESHOLD,
    window: timedelta | None = None,
) -> dict[int, tuple[int, float]]:
    """Map each article that nearly duplicates an earlier one to (original_id, jaccard).

    Articles are compared within their edition only, against `pool` (stored articles of the
    window) and each other; the original is the earliest published match, so a third copy
    points at the first. Reported are the `new` articles that copy an earlier one AND the
    `pool` articles whose earliest original is a `new` one: a backfill walks the newest day
    first, so a copy may be stored before its original, and is marked once the original
    arrives. The same article id is never its own duplicate: a refetched URL with changed text
    is a correction, which storage keeps as a revision. With `window`, only originals published
    at most that long before a copy count (and memory stays bounded).
    """
    with paused_gc():  # many small acyclic objects (see `heap`)
        return _find_duplicates(new, pool, threshold, window)


def _find_duplicates(
    new: Sequence[Fingerprint],
    pool: Sequence[Fingerprint],
    threshold: float,
    window: timedelta | None,
) -> dict[int, tuple[int, float]]:
    everyone = {item.article_id: item for item in pool} | {item.article_id: item for item in new}
    wanted = {item.article_id for item in new}
    indexes: dict[str, NearDuplicateIndex] = {}
    live: deque[Fingerprint] = deque()
    found: dict[int, tuple[int, float]] = {}
    holds_new: set[str] = set()  # editions whose index has held a `new` article
    facts = _Facts(everyone)
    last = max((everyone[i].order()[0] for i in wanted), default=float("-inf"))
    reach = window.total_seconds() if window is not None else float("inf")
    # Oldest first: each article is looked up among the earlier ones only, then indexed.
    for item in sorted(everyone.values(), key=Fingerprint.order):
        if item.order()[0] > last + reach:
            break  # too late to copy any `new` article
        if window is not None and item.published_at is not None:
            _forget_older(live, indexes, item.published_at - window)
        if item.edition not in indexes:
            indexes[item.edition] = NearDuplicateIndex(threshold)
        index = indexes[item.edition]
        is_new = item.article_id in wanted
        if is_new or item.edition in holds_new:
            match = _earliest_original(item, index, everyone, facts)
            if match is not None and (is_new or match[0] in wanted):
                found[item.article_id] = match
        index.add(item.article_id, item.signature)
        live.append(item)
        if is_new:
            holds_new.add(item.edition)
    return found


def _earliest_original(
    item: Fingerprint,
    index: NearDuplicateIndex,
    everyone: dict[int, Fingerprint],
    facts: _Facts,
) -> tuple[int, float] | None:
    """Return (id, jaccard) of the earliest indexed article `item` nearly duplicates, if any."""
    matches = [
        (everyone[key].order(), key, score)
        for key, score in index.query(item.signature)
        if _same_facts(facts[item.article_id], facts[key])
    ]
    if not matches:
        return None
    _, original, score = min(matches)
    return original, score


def _forget_older(
    live: deque[Fingerprint], indexes: dict[str, NearDuplicateIndex], oldest: datetime
) -> None:
    """Remove from the indexes the articles published before `oldest`."""
    while live and live[0].published_at is not None and live[0].published_at < oldest:
        gone = live.popleft()
        indexes[gone.edition].remove(gone.article_id)
