"""What a writing command checks before it starts anything (Prefect, the database, folders).

Settings and profile, the database URL, the data folder and the site: a mistake in any of
them is one line, and nothing is left behind (no data folder, no empty database).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

from unn_ingest.config import ProfileError, Settings, load_profile
from unn_ingest.extractors.profile import SiteProfile
from unn_ingest.flows.errors import ConfigError, OfflineError
from unn_ingest.storage import Store
from unn_ingest.storage.engine import parse_url

CONNECT_SECONDS = 5.0  # how long the site's host may take to accept a connection


def preflight(settings: Settings, *, fetching: bool = True) -> SiteProfile:
    """Check everything a run needs, then create the data folder and open the database.

    `fetching` (a run that contacts the site): also check its pacing (a public origin is
    never crawled unpaced) and that its host accepts connections (a refusing or unknown host
    fails here, in seconds, instead of after every request of the run has failed).
    """
    if fetching:
        settings.pacing()
    profile = site_profile(settings)
    url = parse_url(settings.database_url())  # a malformed URL before any folder exists
    check_writable(settings.data_dir)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        check_writable(Path(url.database).expanduser().parent, "database folder")
    if fetching:
        check_reachable(profile.origin)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    Store.open(settings.database_url()).close()
    return profile


def site_profile(settings: Settings) -> SiteProfile:
    """Return the settings' site profile; a bad one is a ConfigError."""
    try:
        return load_profile(settings.profile, origin=settings.origin)
    except ProfileError as exc:
        raise ConfigError(str(exc)) from exc


def check_writable(folder: Path, what: str = "data folder") -> None:
    """Refuse a folder that cannot be written or created (read-only, or under a file)."""
    existing = folder.expanduser().absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"the {what} {folder} cannot be created: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        option = "--data-dir / UNN_INGEST_DATA_DIR" if what == "data folder" else "--db"
        raise ConfigError(
            f"the {what} {existing} is not writable; this command writes there (choose "
            f"another with {option}; reading commands such as stories and export still work)"
        )


def check_reachable(origin: str) -> None:
    """Refuse a site whose host is unknown or refuses connections (one TCP connect, no HTTP)."""
    parts = urlsplit(origin)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname or "", port), CONNECT_SECONDS).close()
    except TimeoutError:
        return  # slow, not refused: the run's own retries decide
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OfflineError(
            f"cannot reach {origin}: {reason.lower()}; nothing was fetched or written "
            "(is the site up? check --origin / UNN_INGEST_ORIGIN)"
        ) from None
