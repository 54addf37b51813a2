"""Bulk loading for the seed writers: ``COPY … FROM STDIN`` on PostgreSQL (psycopg), executemany elsewhere.

Any subgraph's ``write_people`` may use :func:`bulk_insert`; it runs inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.engine import Connection


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (dicts keyed by column name, all with the same keys) into ``table``; returns the count."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy(conn, table, rows)
    else:
        # One executemany: SQLite's fastest path through SQLAlchemy Core (no RETURNING, no per-row round trip).
        conn.execute(table.insert(), list(rows))
    return len(rows)


def _copy(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    columns = list(rows[0].keys())
    # COPY's text format takes JSON as its text; every other Python value psycopg adapts itself.
    json_columns = {name for name in columns if isinstance(table.c[name].type, JSON)}
    quote = conn.dialect.identifier_preparer
    sql = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) FROM STDIN"
    raw = conn.connection.dbapi_connection  # the psycopg connection of this transaction
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
        for row in rows:
            copy.write_row([json.dumps(row[c], ensure_ascii=False) if c in json_columns else row[c] for c in columns])
