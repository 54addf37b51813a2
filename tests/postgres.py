"""Scratch PostgreSQL databases for tests (server on 127.0.0.1:5432, trust auth); used by fixtures."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def unreachable_reason() -> str | None:
    """Why the server cannot be used, or None when it can."""
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means "cannot reach the server"
        return f"PostgreSQL at 127.0.0.1:5432 unreachable: {exc}"


def create_database() -> str:
    """Create ``lt_test_<random>`` and return its asyncpg URL."""
    import psycopg

    name = f"lt_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """A fresh database for the ``with`` block, dropped afterwards."""
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)
