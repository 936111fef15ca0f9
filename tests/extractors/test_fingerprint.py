"""Content hash and MinHash near-duplicates: republications found, corrections and others not."""

from __future__ import annotations

import gzip
import hashlib
import json
import unicodedata
import zlib
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import combinations
from urllib.parse import urlparse

import numpy as np
import pytest
import trafilatura
from datasketch import MinHash, MinHashLSH

from unn_ingest.extractors.fingerprint import (
    DUPLICATE_THRESHOLD,
    NUM_PERM,
    Fingerprint,
    NearDuplicateIndex,
    _lsh_params,
    content_hash,
    estimate_jaccard,
    fact_keys,
    find_duplicates,
    fingerprint,
    minhash_signature,
    shingles,
    signature_text,
)
from unn_ingest.flows.evaluation.datasets import data_dir
from unn_ingest.replica.model import EditionText, Story
from unn_ingest.replica.stories.loader import load_handwritten

BENCHMARK = data_dir() / "article-extraction-benchmark"
START = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def stories() -> dict[str, Story]:
    return {story.story_id: story for story in load_handwritten(START)}


def _signature(edition: EditionText) -> bytes:
    return minhash_signature(
        signature_text(edition.title, edition.lead, [b.text for b in edition.blocks])
    )


def test_content_hash_is_sha256_of_nfc_text() -> None:
    decomposed = unicodedata.normalize("NFD", "Київ")
    expected = hashlib.sha256("Київ\nлід\nабзац  один".replace("  ", " ").encode()).hexdigest()
    assert content_hash(decomposed, " лід ", ["абзац \n один", ""]) == expected


def test_content_hash_changes_with_the_text() -> None:
    assert content_hash("a", "b", ["c"]) != content_hash("a", "b", ["c."])


def test_signature_is_stable_bytes_that_round_trip() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve"
    signature = minhash_signature(text)
    assert isinstance(signature, bytes) and len(signature) == 512
    assert minhash_signature(text) == signature
    # Pinned: a change of seed, permutations or shingling would orphan every stored signature.
    assert hashlib.sha256(signature).hexdigest()[:16] == PINNED_SIGNATURE_PREFIX
    assert estimate_jaccard(signature, bytes(signature)) == 1.0


def test_empty_text_is_nobodys_duplicate() -> None:
    index = NearDuplicateIndex()
    index.add(1, minhash_signature(""))
    assert index.query(minhash_signature("")) == []


def test_republication_under_a_new_slug_is_a_duplicate_of_the_original(
    stories: dict[str, Story],
) -> None:
    republished = [s for s in stories.values() if s.republication_of]
    assert republished, "the replica's hand-written stories include a republication"
    for story in republished:
        original = stories[str(story.republication_of)]
        for edition, text in story.editions.items():
            assert (
                estimate_jaccard(_signature(text), _signature(original.editions[edition]))
                >= DUPLICATE_THRESHOLD
            )


def test_find_duplicates_points_copies_at_the_earliest_original() -> None:
    text = " ".join(f"word{i}" for i in range(60))
    sig = minhash_signature(text)
    other = minhash_signature(" ".join(f"other{i}" for i in range(60)))
    day = datetime(2025, 11, 1, tzinfo=UTC)
    pool = [Fingerprint(1, "uk", day, sig), Fingerprint(2, "en", day, sig)]
    new = [
        Fingerprint(3, "uk", day.replace(day=2), sig),
        Fingerprint(4, "uk", day.replace(day=3), sig),
        Fingerprint(5, "uk", day.replace(day=3), other),
    ]
    assert find_duplicates(new, pool) == {3: (1, 1.0), 4: (1, 1.0)}
    # Within a 1.5-day window the first copy is too old for the third: it points at the second.
    assert find_duplicates(new, pool, window=timedelta(days=1.5)) == {3: (1, 1.0), 4: (3, 1.0)}


def test_a_copy_stored_before_its_original_is_marked_when_the_original_arrives() -> None:
    sig = minhash_signature(" ".join(f"word{i}" for i in range(60)))
    other = minhash_signature(" ".join(f"other{i}" for i in range(60)))
    day = datetime(2025, 11, 1, tzinfo=UTC)
    # A backfill walking the newest day first stored two copies and an unrelated article.
    stored = [
        Fingerprint(3, "uk", day.replace(day=2), sig),
        Fingerprint(4, "uk", day.replace(day=3), sig),
        Fingerprint(5, "uk", day.replace(day=3), other),
        Fingerprint(6, "en", day.replace(day=3), sig),  # another edition is nobody's copy
    ]
    # Before the original arrives, the second copy points at the first.
    assert find_duplicates(stored[1:2], stored) == {4: (3, 1.0)}
    original = Fingerprint(1, "uk", day, sig)
    assert find_duplicates([original], [*stored, original]) == {3: (1, 1.0), 4: (1, 1.0)}
    # Pool articles that copy each other but no `new` one are left as they are.
    assert find_duplicates([stored[2]], [*stored, original]) == {}
    # With a window, a copy too long after the original is not its duplicate.
    window = timedelta(days=1.5)
    assert find_duplicates([original], [*stored, original], window=window) == {3: (1, 1.0)}


@pytest.mark.parametrize("order", ["original-first", "copy-first"])
def test_a_correction_is_never_a_duplicate_in_either_arrival_order(
    stories: dict[str, Story], order: str
) -> None:
    corrected = [(s, e) for s in stories.values() for e in s.editions.values() if e.revisions]
    assert corrected
    story, edition = corrected[0]
    old = edition.revisions[0]
    first = fingerprint(
        1, edition.edition, story.published_at, old.title, old.lead, [b.text for b in old.blocks]
    )
    refetched = fingerprint(
        1, edition.edition, story.published_at, edition.title, edition.lead,
        [b.text for b in edition.blocks],
    )  # fmt: skip
    copy = replace(refetched, article_id=2, published_at=story.published_at + timedelta(days=1))
    # original-first: the first text is stored, then the copy, then the corrected refetch;
    # copy-first: the copy is stored, then the first text, then the corrected refetch.
    arrivals = [first, copy] if order == "original-first" else [copy, first]
    stored: dict[int, Fingerprint] = {}
    marked: dict[int, int] = {}
    for arriving in [*arrivals, refetched]:
        stored[arriving.article_id] = arriving  # a refetch replaces the text under its id
        found = find_duplicates([arriving], list(stored.values()))
        marked |= {dup: original for dup, (original, _) in found.items()}
    assert marked == {2: 1}  # the copy, whichever came first; never the corrected original


POLAND_AID = (  # a templated story: only its figure changes
    "The government of Poland will allocate {} to Ukraine for the restoration of the "
    "energy sector. This was announced by the Foreign Minister of Poland, UNN reports. "
    "During a meeting with the Ukrainian delegation, the minister stressed that support "
    "for Ukraine remains a priority for the government of Poland and its partners."
)


@pytest.mark.parametrize(
    ("figure", "duplicate"),
    [
        pytest.param("EUR 400 million", True, id="same-figures-republication"),
        pytest.param("EUR 120 million", False, id="other-figures-templated-story"),
    ],
)
def test_a_duplicate_must_keep_the_originals_figures(figure: str, duplicate: bool) -> None:
    day = datetime(2025, 11, 1, tzinfo=UTC)
    original = fingerprint(1, "en", day, "Title", "", [POLAND_AID.format("EUR 400 million")])
    copy = fingerprint(2, "en", day.replace(day=5), "Other title", "", [POLAND_AID.format(figure)])
    assert estimate_jaccard(original.signature, copy.signature) >= DUPLICATE_THRESHOLD
    assert (2 in find_duplicates([copy], [original])) is duplicate


def test_number_keys_are_computed_only_for_near_duplicate_candidates() -> None:
    """A fingerprint's facts given as a function are asked for only when its signature has a
    near-duplicate: the search finds what it finds with the facts computed up front."""
    day = datetime(2025, 11, 1, tzinfo=UTC)
    texts = [POLAND_AID.format(f) for f in ("EUR 400 million", "EUR 400 million", "EUR 9 million")]
    texts.append("An unrelated story about the weather in Lviv on 3 December, 12 degrees.")
    asked: list[int] = []

    def lazy(n: int, text: str) -> Fingerprint:
        def facts() -> frozenset[str]:
            asked.append(n)
            return fact_keys("", "", [text])

        return Fingerprint(n, "en", day + timedelta(hours=n), minhash_signature(text), facts)

    eager = [
        Fingerprint(n, "en", day + timedelta(hours=n), minhash_signature(t), fact_keys("", "", [t]))
        for n, t in enumerate(texts)
    ]
    prints = [lazy(n, t) for n, t in enumerate(texts)]
    assert find_duplicates(prints, prints) == find_duplicates(eager, eager) == {1: (0, 1.0)}
    assert sorted(asked) == [0, 1, 2]  # the three of one template, each once; not the other
    assert fingerprint(5, "en", day, "T", "", [texts[0]]).facts() == eager[0].numbers


def test_signature_text_counts_words_as_split_does() -> None:
    """Whether the body alone has the ten words a signature needs, over odd whitespace."""
    body = ["one\u00a0two\tthree", " ", "four\u2003five\nsix", "seven  eight", "nine"]
    assert (
        signature_text("Title", "", body)
        == "Title\none two three\nfour five six\nseven eight\nnine"
    )
    assert signature_text("Title", "ten", body).split("\n")[0] == "ten"
    assert signature_text("Title", "", []) == "Title"


def test_the_index_bands_are_datasketchs_without_importing_it() -> None:
    """The bands and rows pinned for the index's threshold are what MinHashLSH picks."""
    lsh = MinHashLSH(threshold=DUPLICATE_THRESHOLD - 0.1, num_perm=NUM_PERM)
    assert _lsh_params(DUPLICATE_THRESHOLD - 0.1) == (lsh.b, lsh.r)
    assert NearDuplicateIndex()._cuts[1] == slice(4 * lsh.r, 8 * lsh.r)


def test_correction_of_the_same_article_is_not_a_duplicate(stories: dict[str, Story]) -> None:
    corrected = [(s, e) for s in stories.values() for e in s.editions.values() if e.revisions]
    assert corrected, "the replica's hand-written stories include a corrected article"
    pool = []
    for n, (story, edition) in enumerate(corrected):
        revision = edition.revisions[0]
        old = minhash_signature(
            signature_text(revision.title, revision.lead, [b.text for b in revision.blocks])
        )
        pool.append(Fingerprint(n, edition.edition, story.published_at, old))
    # The refetch keeps the article id: the new text replaces the old under the same id.
    new = [
        Fingerprint(n, e.edition, s.published_at, _signature(e))
        for n, (s, e) in enumerate(corrected)
    ]
    assert find_duplicates(new, pool) == {}


def test_stories_of_the_replica_are_not_duplicates_of_each_other(stories: dict[str, Story]) -> None:
    prints = [
        Fingerprint(n, edition, story.published_at, _signature(text))
        for n, (story, edition, text) in enumerate(
            (s, ed, t)
            for s in stories.values()
            if not s.republication_of
            for ed, t in s.editions.items()
        )
    ]
    assert find_duplicates(prints) == {}


def _same_site_pairs() -> list[tuple[str, str, str]]:
    truth_file = BENCHMARK / "ground-truth.json"
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    by_host: dict[str, list[str]] = defaultdict(list)
    for page_id, item in sorted(truth.items()):
        by_host[urlparse(item["url"]).netloc].append(page_id)
    return [(host, a, b) for host, ids in by_host.items() for a, b in combinations(ids, 2)]


def _page_text(page_id: str) -> str:
    html = gzip.decompress((BENCHMARK / "html" / f"{page_id}.html.gz").read_bytes())
    return str(trafilatura.html2txt(html.decode("utf-8", "replace")) or "")


@pytest.mark.slow
@pytest.mark.needs_data
def test_different_articles_of_one_real_site_stay_below_the_threshold() -> None:
    pairs = _same_site_pairs()
    assert len(pairs) >= 50
    texts: dict[str, str] = {}
    worst = 0.0
    for _, a, b in pairs:
        # Whole-page text, boilerplate and all: the worst case an extractor could leave.
        sig_a = minhash_signature(texts.setdefault(a, _page_text(a)))
        sig_b = minhash_signature(texts.setdefault(b, _page_text(b)))
        worst = max(worst, estimate_jaccard(sig_a, sig_b))
    assert worst < DUPLICATE_THRESHOLD


PINNED_SIGNATURE_PREFIX = "15fbf9bd60658cb4"


SAMPLE_TEXTS = [
    "",
    "one",
    "one two three four five",
    " ".join(f"word{i % 37}" for i in range(400)),
    "Київ оголосив повітряну тривогу. " * 30,
]


@pytest.mark.parametrize(
    "text", SAMPLE_TEXTS, ids=["empty", "one-word", "one-shingle", "long", "uk"]
)
def test_signature_equals_datasketchs_minhash(text: str) -> None:
    """The vectorised signature is datasketch's affine32 MinHash (stored ones stay comparable)."""
    reference = MinHash(num_perm=NUM_PERM, seed=20251120, scheme="affine32", hashfunc=zlib.crc32)
    reference.update_batch(list(shingles(text)))
    assert minhash_signature(text) == reference.digest().astype("<u4").tobytes()


def test_index_finds_the_candidates_datasketchs_lsh_finds() -> None:
    """The banded buckets give MinHashLSH's candidates (then the exact estimate filters)."""
    base = [f"w{i}" for i in range(200)]
    texts = [" ".join(base[: 200 - 4 * n] + [f"x{n}"] * n) for n in range(30)]
    signatures = [minhash_signature(t) for t in texts]
    index, lsh = NearDuplicateIndex(0.5), MinHashLSH(num_perm=NUM_PERM, params=_lsh_params(0.4))
    for key, signature in enumerate(signatures):
        index.add(key, signature)
        lsh.insert(key, _datasketch(signature))
    for signature in signatures:
        expected = sorted(
            (key, estimate_jaccard(signature, signatures[key]))
            for key in lsh.query(_datasketch(signature))
            if estimate_jaccard(signature, signatures[key]) >= 0.5
        )
        assert sorted(index.query(signature)) == expected
    assert len({len(index.query(s)) for s in signatures}) > 1  # the texts differ in overlap


def test_removed_keys_are_no_candidates() -> None:
    signature = minhash_signature(" ".join(f"w{i}" for i in range(50)))
    index = NearDuplicateIndex()
    index.add(1, signature)
    index.add(2, signature)
    index.remove(1)
    index.add(2, signature)  # re-adding a key replaces it
    assert index.query(signature) == [(2, 1.0)] and len(index) == 1


def _datasketch(signature: bytes) -> MinHash:
    values = np.frombuffer(signature, dtype="<u4")
    return MinHash(num_perm=NUM_PERM, seed=20251120, scheme="affine32", hashvalues=values)
