"""Benchmark: building the replica's catalogue at 10k, 30k and 100k articles.

    python -m bench.catalogue_build [--articles 10000 30000 100000] [--seed 1]

Prints, per size: stories, articles, build time, peak memory of the process so far, and the
mix (edition sets, link variants, late translations, corrections, republications), so that
the figures quoted in the README can be reproduced.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import Counter

from unn_ingest.replica.catalogue import Catalogue, build_catalogue, stories_for_articles


def describe(catalogue: Catalogue) -> dict[str, object]:
    """Return the generated stories' mix as shares (edition sets, variants, late, corrected)."""
    generated = [s for s in catalogue.stories if not s.handwritten]
    n = len(generated)
    sets = Counter("+".join(s.editions) for s in generated if s.republication_of is None)
    variants = Counter(s.link_variant for s in generated)
    translations = [t for s in generated for t in s.editions.values() if t.edition != "uk"]
    return {
        "edition_sets": {k: round(v / sum(sets.values()), 3) for k, v in sets.most_common()},
        "link_variants": {k: round(v / n, 3) for k, v in variants.most_common()},
        "late_translations": round(
            sum(t.delay_minutes > 0 for t in translations) / len(translations), 3
        ),
        "corrected": round(sum(bool(s.editions["uk"].revisions) for s in generated) / n, 3),
        "republished": round(sum(s.republication_of is not None for s in generated) / n, 3),
    }


def main() -> None:
    """Build catalogues of the requested sizes and print their timing and mix."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for articles in args.articles:
        started = time.perf_counter()
        catalogue = build_catalogue(seed=args.seed, generated=stories_for_articles(articles))
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{articles:>7} articles asked: {len(catalogue):>6} stories, "
            f"{catalogue.article_count:>7} articles in {elapsed:5.1f} s, peak RSS {peak:.0f} MB"
        )
        print(f"         {describe(catalogue)}")
        build_catalogue.cache_clear()


if __name__ == "__main__":
    main()
