"""The transaction of a write: serialised per database on SQLite, a plain transaction on PostgreSQL.

SQLite (the default database) allows one writer at a time. Python's sqlite3 opens a *deferred* transaction at
the first INSERT/UPDATE, after the write's checks have already read outside of it, and a transaction that read
before it writes cannot wait for the lock in WAL mode: two concurrent mutations then fail with "database is
locked" (SQLITE_BUSY, the busy timeout not applied) or check against a state that changed under them. So a write
on SQLite:

- takes an ``asyncio.Lock`` of its database for this event loop (writes of one process queue instead of racing);
- starts with ``BEGIN IMMEDIATE``: the write lock is taken before the first read, and waiting for another
  process's writer (the exchange consumer, a seed) goes through the busy timeout (``Database``: 30 s).

PostgreSQL needs neither (row locks and advisory locks of the writers do the rest).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

_LOCKS_ATTR = "_lienthong_write_locks"


def _lock(db: Any) -> asyncio.Lock:
    """The write lock of ``db`` for the running loop (a lock belongs to one loop; tests run several)."""
    locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] | None = getattr(db, _LOCKS_ATTR, None)
    if locks is None:
        locks = weakref.WeakKeyDictionary()
        setattr(db, _LOCKS_ATTR, locks)
    loop = asyncio.get_running_loop()
    lock = locks.get(loop)
    if lock is None:
        lock = locks[loop] = asyncio.Lock()
    return lock


def is_sqlite(db: Any) -> bool:
    """Whether ``db`` (a ``subgraphs.common.db.Database``) is SQLite."""
    return db.engine.dialect.name == "sqlite"


@asynccontextmanager
async def write_transaction(db: Any) -> AsyncIterator[AsyncConnection]:
    """A connection in a write transaction, committed on exit, rolled back on an exception (see the module
    docstring for SQLite)."""
    if not is_sqlite(db):
        async with db.engine.begin() as conn:
            yield conn
        return
    async with _lock(db):
        async with db.engine.begin() as conn:
            # sqlite3 opens no transaction for this statement itself and none after it (one is open): the
            # statements below run in this IMMEDIATE one, which SQLAlchemy commits or rolls back
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
