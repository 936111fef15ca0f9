"""Keep Python's cyclic garbage collector out of long computations that make no cycles.

Matching a window or indexing its near-duplicates allocates millions of small tuples, lists
and dicts, none of them in a reference cycle (reference counting frees each). Every 700 such
allocations the collector scans the young objects, and often enough the whole heap — in the
pipeline's main process and in `bench.linking` a heap of hundreds of thousands of articles'
features — finding nothing: a third of matching's CPU was spent so. Pausing it for the
computation changes nothing but that; it runs again afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause automatic garbage collection inside the block (if it was on, turn it on after)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
