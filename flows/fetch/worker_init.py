"""Imported once by the worker pool's fork server: load and warm everything a worker uses.

Workers are forked from that server, so each starts with parsers imported and the language
profiles loaded instead of paying for them on its first batch.
"""

from __future__ import annotations

import signal
from datetime import UTC, datetime

from unn_ingest.config import load_profile
from unn_ingest.extractors.analysis import analyse_page
from unn_ingest.extractors.page import FetchedPage
from unn_ingest.flows.fetch import workers  # the functions the pool runs
from unn_ingest.flows.fetch.http import tls_context

_SAMPLE = """<html lang="uk"><head><title>t</title>
<meta property="article:published_time" content="2025-11-20T10:00:00+02:00"></head><body>
<article><h1>Перевірка роботи</h1><p>Це перший абзац новини про роботу системи.</p>
<p>This is an English paragraph. Это русский абзац для проверки.</p></article></body></html>"""


def prime() -> None:
    """Run one analysis so that lazily loaded parts (language profiles, parsers) are ready."""
    url = "https://unn.ua/news/perevirka-roboty"
    page = FetchedPage(url, url, 200, {}, _SAMPLE.encode(), datetime.now(UTC))
    analyse_page(page, load_profile())


# Ctrl-C reaches every process of the terminal's group: the fork server and the workers leave it
# to the main process, which stops the run and sends them SIGUSR1: a worker then ends its
# fetches in flight and returns what it fetched and analysed, for the main process to store.
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGUSR1, workers.stop_fetching)
prime()
tls_context()  # built once here, not once per worker
