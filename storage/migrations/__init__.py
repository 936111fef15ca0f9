"""Alembic migrations of the record store, applied by `Store.open`."""
