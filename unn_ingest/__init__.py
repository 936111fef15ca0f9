"""unn-ingest: ingest the uk/en/ru editions of UNN news and link the editions of each story.

The distribution installs this one import package. Its subpackages are the project's top-level
folders: `flows` (Prefect flows, CLI, fetching), `extractors` (pure parsing and matching),
`storage` (the only SQL), `config` (settings and the site profile) and `replica` (the local
replica of unn.ua, for tests and the demo; its web server needs the `replica` extra).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("unn-ingest")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
