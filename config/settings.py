"""Run settings from `UNN_INGEST_*` environment variables; CLI options override them."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where to fetch from, where to store, how often to run."""

    model_config = SettingsConfigDict(env_prefix="UNN_INGEST_", extra="ignore")

    origin: str | None = None  # None: the profile's own origin (https://unn.ua)
    profile: str = "unn"
    data_dir: Path = Path("./data")
    db_url: str | None = None  # None: SQLite under data_dir
    cron: str = "*/10 * * * *"
    requests_per_second: float | None = None  # None: the profile's politeness
    max_concurrency: int | None = None
    batch_size: int = 80
    site_limit: str | None = None  # a Prefect global concurrency limit shared by all runs
    workers: int = Field(default_factory=lambda: os.cpu_count() or 2)  # processes, large runs
    revisit_min_minutes: float = 10.0  # re-check a stored article at most this often...
    revisit_age_factor: float = 0.75  # ...and no sooner than this share of its age (4x apart)
    contact: str | None = None  # the operator's URL or e-mail, sent in the User-Agent
    user_agent: str | None = None  # None: the profile's product token (+ contact)
    retry_delay_seconds: float | None = None  # None: the profile's delay before a later retry
    retry_delay_cap_seconds: float | None = None  # None: the profile's longest delay
    archive: bool = True  # keep every response in WARC files under data_dir/warc
    archive_max_mb: float = 1024.0  # start a new WARC file past this size (and every day)

    def user_agent_for(self, product: str) -> str:
        """Return the User-Agent: the product token and, when set, the operator's contact."""
        agent = self.user_agent or product
        return f"{agent} (+{self.contact})" if self.contact else agent

    def pacing(self) -> tuple[float | None, int | None]:
        """Return (requests per second, concurrency); None: the profile's politeness.

        A loopback origin (the local replica) is not paced unless asked: the politeness is
        for the live site, whose pacing stays as the profile says.
        """
        if self.requests_per_second is None and is_loopback(self.origin):
            return 0.0, self.max_concurrency or LOOPBACK_CONCURRENCY
        return self.requests_per_second, self.max_concurrency

    def database_url(self) -> str:
        """Return the database URL, defaulting to SQLite under the data directory."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.data_dir / 'unn-ingest.sqlite3').resolve()}"


LOOPBACK_CONCURRENCY = 8


def is_loopback(origin: str | None) -> bool:
    """Tell whether an origin is on this machine (localhost, 127.0.0.0/8, ::1)."""
    if not origin:
        return False
    host = urlsplit(origin).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
