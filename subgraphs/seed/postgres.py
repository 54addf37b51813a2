"""PostgreSQL bulk-load helpers for the seed: secondary indexes and foreign keys built after the load.

Maintaining a secondary index row by row during COPY (the trigram GIN index on names above all) and checking
each foreign key with a trigger per row cost more than the COPY itself; building an index once over the loaded
table sorts it in one pass, and ``ADD CONSTRAINT ... FOREIGN KEY`` validates it with one join. Primary keys and
unique constraints stay: they guard the data while it goes in (and ``civil_status`` reads ``max(id)`` through its
primary key per chunk).

The definitions are read from the catalogue (``pg_get_indexdef``, ``pg_get_constraintdef``), so whatever the
migrations created is what is rebuilt, and they are kept in a table of the database itself
(``lt_seed_suspended``) in the transaction that drops them: a seed that dies half-way leaves them there, and the
next seed (or :func:`restore_pending`) builds them again instead of losing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

PENDING = "lt_seed_suspended"
BUILDERS = 3  # indexes of one subgraph built at the same time (one connection each)
# Per session: the seed can be redone from scratch, so a commit need not wait for its WAL flush; index builds
# sort in memory rather than in temporary files.
SESSION = ("SET synchronous_commit = off", "SET maintenance_work_mem = '256MB'")

_INDEXES = """
SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid
                  AND c.contype IN ('p', 'u', 'x'))
ORDER BY t.relname, i.relname
"""
_FOREIGN_KEYS = """
SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) AND c.contype = 'f'
ORDER BY t.relname, c.conname
"""


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def suspend(conn: Connection, tables: Sequence[str], owner: str) -> int:
    """Drop the secondary indexes and foreign keys of ``tables``, recording how to rebuild them under
    ``owner`` (the subgraph); returns how many were dropped. Runs in the caller's transaction."""
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {PENDING} (owner text NOT NULL, position int NOT NULL, "
                         "statement text NOT NULL, PRIMARY KEY (owner, position))")
    names = list(tables)
    foreign_keys = conn.execute(text(_FOREIGN_KEYS), {"tables": names}).all()
    indexes = conn.execute(text(_INDEXES), {"tables": names}).all()
    # Rebuilt indexes first (a foreign key's validation may use them), then the foreign keys.
    rebuild = [definition for _, _, definition in indexes]
    rebuild += [f"ALTER TABLE {_quote(conn, table)} ADD CONSTRAINT {_quote(conn, name)} {definition}"
                for table, name, definition in foreign_keys]
    start = conn.execute(text(f"SELECT coalesce(max(position), -1) + 1 FROM {PENDING} WHERE owner = :o"),
                         {"o": owner}).scalar_one()
    for i, statement in enumerate(rebuild):
        conn.execute(text(f"INSERT INTO {PENDING} (owner, position, statement) VALUES (:o, :p, :s)"),
                     {"o": owner, "p": start + i, "s": statement})
    for table, name, _ in foreign_keys:
        conn.exec_driver_sql(f"ALTER TABLE {_quote(conn, table)} DROP CONSTRAINT {_quote(conn, name)}")
    for _, name, _ in indexes:
        conn.exec_driver_sql(f"DROP INDEX {_quote(conn, name)}")
    return len(rebuild)


def restore_pending(engine: Engine, owner: str, parallel: int = BUILDERS) -> int:
    """Rebuild what :func:`suspend` dropped for ``owner`` (now, or by a seed that died); returns the count.
    Indexes are built ``parallel`` at a time (one connection each: the server builds them side by side), then
    the foreign keys. Each statement commits with the removal of its record, so an interruption loses nothing."""
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": PENDING}).scalar_one()
        if not exists:
            return 0
        pending = conn.execute(text(f"SELECT position, statement FROM {PENDING} WHERE owner = :o ORDER BY position"),
                               {"o": owner}).all()

    def run(position: int, statement: str) -> None:
        with engine.begin() as conn:
            for setting in SESSION:
                conn.exec_driver_sql(setting.replace("SET ", "SET LOCAL ", 1))
            conn.exec_driver_sql(statement)
            conn.execute(text(f"DELETE FROM {PENDING} WHERE owner = :o AND position = :p"),
                         {"o": owner, "p": position})

    indexes = [(p, s) for p, s in pending if not s.startswith("ALTER TABLE")]
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix=f"seed-index-{owner}") as pool:
        for future in [pool.submit(run, p, s) for p, s in indexes]:
            future.result()  # the first failure is raised (the others' records stay for the next seed)
    for position, statement in pending:
        if statement.startswith("ALTER TABLE"):  # after the indexes their validation may use
            run(position, statement)
    return len(pending)


def forget_if_done(engine: Engine) -> None:
    """Drop the bookkeeping table once nothing is pending. Called by one process only (the seed's own, after
    its writers), so no other session is between its check and its drop."""
    with engine.begin() as conn:
        if conn.execute(text("SELECT to_regclass(:t) IS NOT NULL"), {"t": PENDING}).scalar_one():
            if conn.execute(text(f"SELECT NOT EXISTS (SELECT 1 FROM {PENDING})")).scalar_one():
                conn.exec_driver_sql(f"DROP TABLE {PENDING}")
