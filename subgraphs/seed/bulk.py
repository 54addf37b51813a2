"""Bulk loading for the seed writers: ``COPY … FROM STDIN`` on PostgreSQL (psycopg), executemany elsewhere.

Any subgraph's ``write_people`` may use :func:`bulk_insert`; it runs inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Table
from sqlalchemy.engine import Connection


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (dicts keyed by column name, all with the same keys) into ``table``; returns the count."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy(conn, table, rows)
    elif conn.dialect.name == "sqlite":
        _executemany(conn, table, rows)
    else:
        conn.execute(table.insert(), list(rows))
    return len(rows)


def _executemany(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    # The driver's executemany over tuples: about twice as fast as Core's per-row dict processing, which only
    # converts JSON (dumped here) and booleans (sqlite3 stores True as 1 itself).
    columns = list(rows[0].keys())
    json_columns = {name for name in columns if isinstance(table.c[name].type, JSON)}
    quote = conn.dialect.identifier_preparer
    sql = (f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    if json_columns:
        params = [
            tuple(_json(row[c]) if c in json_columns else row[c] for c in columns)
            for row in rows
        ]
    else:
        params = [tuple(row[c] for c in columns) for row in rows]
    conn.exec_driver_sql(sql, params)


def _json(value: Any) -> str:
    """A JSON column's text (orjson: UTF-8, compact; several times json.dumps, a tenth of the civil status
    writer's CPU with identity papers); ``None`` is the JSON ``null``, as json.dumps gave."""
    return orjson.dumps(value).decode()


def _copy(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    columns = list(rows[0].keys())
    # COPY's text format takes JSON as its text; every other Python value psycopg adapts itself.
    json_columns = {name for name in columns if isinstance(table.c[name].type, JSON)}
    quote = conn.dialect.identifier_preparer
    sql = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) FROM STDIN"
    raw = conn.connection.dbapi_connection  # the psycopg connection of this transaction
    assert raw is not None
    # itemgetter takes a row's values in one C call; only the JSON columns need a Python step per value
    values = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    dumped = [i for i, c in enumerate(columns) if c in json_columns]
    with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[attr-defined]
        if not dumped:
            for row in rows:
                copy.write_row(values(row))
            return
        for row in rows:
            line = list(values(row))
            for i in dumped:
                line[i] = _json(line[i])
            copy.write_row(line)
