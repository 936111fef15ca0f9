"""The frozen record of one HTTP response: everything after fetching is a function of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """One fetched response, as the fetcher saw it; parsers see only this."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime

    def header(self, name: str) -> str | None:
        """Return a header's value, case-insensitively, or None."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None
