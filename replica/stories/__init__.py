"""The replica's hand-written stories: TOML files under `data/` turned into `Story` records.

Each `data/hNNN.toml` holds one story with up to three editions. Publish times are relative
(`day` from the catalogue start's Kyiv date, `time` in Kyiv local time), so the same files
serve any clock. See `loader.py` for the file format.
"""

from __future__ import annotations

from unn_ingest.replica.stories.loader import (
    DATA_DIR,
    explicit_link_variants,
    load_handwritten,
    load_handwritten_raw,
)

__all__ = ["DATA_DIR", "explicit_link_variants", "load_handwritten", "load_handwritten_raw"]
