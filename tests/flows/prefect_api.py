"""An HTTP client for a test's Prefect server that retries as Prefect's own client does.

A Prefect server on a loaded machine answers some requests with 503 ("Service Unavailable",
its database busy); `prefect.client` retries those (and 429) with a backoff, and so do the
tests' plain HTTP calls, which would otherwise fail on the machine's load, not on our code.
"""

from __future__ import annotations

import time

import httpx

RETRIED = (429, 502, 503)
ATTEMPTS = 6


class RetryingTransport(httpx.HTTPTransport):
    """Send a request again, after 1, 2, 3... s, while the server says it is busy."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(1, ATTEMPTS + 1):
            response = super().handle_request(request)
            if response.status_code not in RETRIED or attempt == ATTEMPTS:
                return response
            response.close()
            time.sleep(attempt)
        raise AssertionError("unreachable")


def api_client(base_url: str, timeout: float = 30) -> httpx.Client:
    """Return a client for a Prefect API (`.../api`) that retries a busy server's answers."""
    return httpx.Client(base_url=base_url, timeout=timeout, transport=RetryingTransport())
