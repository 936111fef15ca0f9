"""Run settings from `UNN_INGEST_*` environment variables; CLI options override them.

Every setting declares its type and range here (pydantic `Field(ge=…, le=…)` or a validator),
so a bad value is refused before a command starts anything: `config.checks` turns the
validation error into one line naming the setting, the value and what is allowed. A new
setting only declares its range.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "UNN_INGEST_"
# A public origin is paced: at most this many requests per second, never "no pacing".
PUBLIC_MAX_RPS = 5.0
LOOPBACK_CONCURRENCY = 8


class SettingsError(ValueError):
    """A setting has a value outside what it allows (named, with the value and the range)."""


class Settings(BaseSettings):
    """Where to fetch from, where to store, how often to run."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    # None: the profile's own origin (https://unn.ua)
    origin: str | None = Field(default=None, description="an http(s) URL")
    profile: str = Field(default="unn", min_length=1, description="a name or a .toml file")
    data_dir: Path = Field(default=Path("./data"), description="a folder")
    # None: SQLite under data_dir
    db_url: str | None = Field(default=None, description="a sqlite:/// or postgresql:// URL")
    # checked by Prefect when `serve` schedules it
    cron: str = Field(default="*/10 * * * *", description="a cron expression")
    # None: the profile's politeness; 0 (no pacing) only for a loopback origin
    requests_per_second: float | None = Field(default=None, ge=0, le=1000)
    max_concurrency: int | None = Field(default=None, ge=1, le=64)
    batch_size: int = Field(default=80, ge=1, le=10_000)
    # a Prefect global concurrency limit shared by all runs
    site_limit: str | None = Field(default=None, description="a limit's name")
    workers: int = Field(default_factory=lambda: os.cpu_count() or 2, ge=1, le=256)
    # re-check a stored article at most this often (0: every run; at most 48 h, the window)...
    revisit_min_minutes: float = Field(default=60.0, ge=0, le=2880)
    # ...and not before this share of its age since the last check (0.75: checks ~4x apart)
    revisit_age_factor: float = Field(default=0.75, ge=0, le=1)
    # the operator's URL or e-mail, sent in the User-Agent
    contact: str | None = Field(default=None, description="a URL or an e-mail address")
    # None: the profile's product token (+ contact)
    user_agent: str | None = Field(default=None, description="a product token")
    # None: the profile's; 0: a failed URL is due again at the next run
    retry_delay_seconds: float | None = Field(default=None, ge=0, le=30 * 86400)
    retry_delay_cap_seconds: float | None = Field(default=None, ge=0, le=365 * 86400)
    archive: bool = True  # keep every response in WARC files under data_dir/warc
    archive_max_mb: float = Field(default=1024.0, gt=0, le=1024 * 1024)  # a new WARC file past this
    catchup_horizon_days: float = Field(
        default=7.0, gt=0, le=366
    )  # ingest reads back at most this far
    auto_backfill: bool = False  # a deployment's ingest run starts a backfill over its gaps
    alert_failure_share: float = Field(
        default=0.1, ge=0, le=1
    )  # failed share that emits the alert event

    @field_validator("origin")
    @classmethod
    def _http_origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL; allowed: http(s)://host[:port]")
        return value

    @field_validator("contact", "user_agent", "site_limit")
    @classmethod
    def _one_line_text(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or not value.isprintable()):
            raise ValueError("allowed: printable text on one line, not empty")
        return value

    @model_validator(mode="after")
    def _cap_after_delay(self) -> Self:
        base, cap = self.retry_delay_seconds, self.retry_delay_cap_seconds
        if base is not None and cap is not None and cap < base:
            raise ValueError(
                f"UNN_INGEST_RETRY_DELAY_CAP_SECONDS={cap:g} is below "
                f"UNN_INGEST_RETRY_DELAY_SECONDS={base:g}; allowed: a cap at least the delay"
            )
        return self

    def user_agent_for(self, product: str) -> str:
        """Return the User-Agent: the product token and, when set, the operator's contact."""
        agent = self.user_agent or product
        return f"{agent} (+{self.contact})" if self.contact else agent

    def pacing(self) -> tuple[float | None, int | None]:
        """Return (requests per second, concurrency); None: the profile's politeness.

        A loopback origin (the local replica) is not paced unless asked: the politeness is
        for the live site, whose pacing stays as the profile says. A public origin is never
        unpaced: a rate of 0, or above `PUBLIC_MAX_RPS`, raises SettingsError.
        """
        if is_loopback(self.origin):
            if self.requests_per_second is None:
                return 0.0, self.max_concurrency or LOOPBACK_CONCURRENCY
            return self.requests_per_second, self.max_concurrency
        rate = self.requests_per_second
        if rate is not None and not 0 < rate <= PUBLIC_MAX_RPS:
            raise SettingsError(
                f"UNN_INGEST_REQUESTS_PER_SECOND={rate:g} for the public origin "
                f"{self.origin or 'https://unn.ua'}; allowed: more than 0 and at most "
                f"{PUBLIC_MAX_RPS:g} requests/s (0, no pacing, is only for a loopback origin)"
            )
        return rate, self.max_concurrency

    def database_url(self) -> str:
        """Return the database URL, defaulting to SQLite under the data directory."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.data_dir / 'unn-ingest.sqlite3').resolve()}"


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
