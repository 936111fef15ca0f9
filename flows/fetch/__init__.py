"""Fetching: the HTTP client, politeness, the worker pool and read-ahead."""
