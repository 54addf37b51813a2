"""The audit writer thread's batch transaction, on one driver connection held from batch to batch.

Through SQLAlchemy's ``Connection`` a batch of one record cost ~0.85 ms of CPU on the writer thread (the pool's
checkout with its pre-ping, the BEGIN listener, statement cache keys, result wrapping); on the driver's own
connection the same statements cost ~0.15 ms, and every request pays it. The subject index is filled by one
statement per record from the record's ``subjects`` JSON (:mod:`gateway.audit.subject_index`): no Python runs
per subject, which mattered for a request naming 500 of them.

Only the writer thread uses a :class:`BatchWriter` (:class:`gateway.audit.store.AuditStore` runs it on its
one-thread executor), so the connection needs no lock.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine

from .chain import GENESIS, chain
from .schema import POSTGRES_LOCK, audit_log
from .subject_index import POSTGRES_INSERT, SQLITE_INSERT

log = logging.getLogger("lienthong.audit")

_HEAD = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
COLUMNS = tuple(c.name for c in audit_log.columns)


class BatchWriter:
    """Appends batches of chained rows in one transaction each: writer lock, head, chain, insert, commit."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        mark = "?" if self.dialect == "sqlite" else "%s"
        self._insert_log = (f"INSERT INTO audit_log ({', '.join(COLUMNS)}) "
                            f"VALUES ({', '.join(mark for _ in COLUMNS)})")
        if self.dialect == "sqlite":
            self._begin = "BEGIN IMMEDIATE"  # takes the write lock now: the head read below is the head
            self._insert_subjects = SQLITE_INSERT
        else:
            self._begin = POSTGRES_LOCK  # psycopg opens the transaction itself; the advisory lock serialises
            self._insert_subjects = POSTGRES_INSERT
        self._conn: Any = None  # the pool's proxy of the driver connection, held between batches

    def commit(self, rows: list[dict[str, Any]]) -> None:
        """Chain ``rows`` after the head and commit them (raises on any failure; nothing is then written).

        A connection found dead at the first statement (a restarted database: nothing was sent that could have
        been committed) is replaced and the batch tried once more; any later failure is raised as is.
        """
        try:
            self._transaction(rows, self._connection())
        except _Stale:
            self._discard()
            self._transaction(rows, self._connection())

    def close(self) -> None:
        """Return the connection (on the writer thread: SQLite connections belong to the thread that made them)."""
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception as exc:  # closing a broken connection: nothing left to keep
                log.debug("audit batch connection close failed: %s", exc)
            self._conn = None

    def _connection(self) -> Any:
        if self._conn is None:
            self._conn = self.engine.raw_connection()
        return self._conn

    def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
            except Exception as exc:
                log.debug("audit batch connection invalidate failed: %s", exc)

    def _transaction(self, rows: list[dict[str, Any]], conn: Any) -> None:
        cursor = conn.cursor()
        try:
            try:
                cursor.execute(self._begin)
            except self.engine.dialect.loaded_dbapi.OperationalError as exc:
                raise _Stale from exc
            cursor.execute(_HEAD)
            head = cursor.fetchone()
            chain(rows, head[0] if head else 0, head[1] if head else GENESIS)
            cursor.executemany(self._insert_log, [tuple(row.get(c) for c in COLUMNS) for row in rows])
            indexed = [(row["seq"], row["subjects"]) for row in rows if row["subjects"] != "[]"]
            if indexed:
                cursor.executemany(self._insert_subjects, indexed)
            if self.dialect == "sqlite":
                cursor.execute("COMMIT")
            else:
                conn.commit()
        except BaseException:
            self._rollback(conn)
            raise
        finally:
            cursor.close()

    def _rollback(self, conn: Any) -> None:
        try:
            if self.dialect == "sqlite":
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            else:
                conn.rollback()
        except Exception as exc:  # the connection is broken: the next batch takes a new one
            log.warning("audit batch rollback failed, connection discarded: %s", exc)
            self._discard()


class _Stale(Exception):
    """The held connection failed its first statement."""
