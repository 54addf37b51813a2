"""The subject index: which records name a data subject, for the access log (004 Art. 9, 14) and ``audit verify``.

It holds one ``(personal_id, seq)`` pair per subject of each record, written in the record's own transaction
from the record's ``subjects`` JSON, and is derived data: ``audit verify`` checks it against the records.

- **PostgreSQL**: the table ``audit_subjects`` (``schema.audit_subjects``), a B-tree on ``(personal_id, seq)``,
  append-only through its triggers.
- **SQLite**: a contentless FTS5 table ``audit_subject_index`` whose document ``rowid`` is the record's ``seq``
  and whose tokens are the subjects' keys in hexadecimal (one token per key whatever characters it has, decoded
  exactly by :func:`decode`). A B-tree on ``(personal_id, seq)`` puts a request naming 500 persons in 500
  random leaf pages, each written whole to the WAL at commit: 10-20 ms of the writer thread's CPU per such
  record on a trail of a few thousand records, growing with it; FTS5 writes the same pairs as one small segment
  and merges segments later (0.8-1.9 ms). A virtual table takes no triggers; a contentless one refuses UPDATE and
  DELETE statements, and anything else done to it (its shadow tables) is what ``audit verify`` detects.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BigInteger, Select, column, literal_column, select, table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from .schema import audit_subjects

FTS_TABLE = "audit_subject_index"
TERMS_TABLE = "audit_subject_terms"  # fts5vocab 'instance': one (term, doc) row per indexed pair

# the tokens of a record: its subjects' keys as lower-case hex of their UTF-8 bytes (Python's str.encode().hex())
_TOKENS = "SELECT group_concat(lower(hex(value)), ' ') FROM json_each({subjects})"

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(tokens, content='', detail=none, tokenize='ascii')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TERMS_TABLE} USING fts5vocab({FTS_TABLE}, 'instance')",
)
# one statement per record (parameters: seq, subjects JSON), by the audit writer
SQLITE_INSERT = f"INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (?, ({_TOKENS.format(subjects='?')}))"
POSTGRES_INSERT = ("INSERT INTO audit_subjects (personal_id, seq) "
                   "SELECT value, %s FROM jsonb_array_elements_text(%s::jsonb)")


def encode(personal_id: str) -> str:
    """The index token of a subject key."""
    return personal_id.encode().hex()


def decode(token: str) -> str:
    """The subject key of an index token (a token that is not one decodes to itself: a forged entry)."""
    try:
        return bytes.fromhex(token).decode()
    except ValueError:
        return token


def seqs_naming(dialect: str, personal_id: str) -> Select[tuple[int]]:
    """The ``seq`` of every record naming ``personal_id`` (a subquery for the access log)."""
    if dialect == "sqlite":
        fts = table(FTS_TABLE, column("rowid"))
        # the token is hex: nothing in it is FTS5 query syntax
        return select(fts.c.rowid.label("seq")).where(literal_column(FTS_TABLE).op("MATCH")(f'"{encode(personal_id)}"'))
    return select(audit_subjects.c.seq).where(audit_subjects.c.personal_id == personal_id)


def pairs_between(dialect: str, first: int, last: int) -> Select[tuple[str, int]]:
    """The index's ``(key, seq)`` pairs for records ``first``..``last`` (SQLite: the key as its token; map the
    rows through :func:`decoded`)."""
    if dialect == "sqlite":
        terms = table(TERMS_TABLE, column("term"), column("doc", BigInteger))
        return select(terms.c.term, terms.c.doc).where(terms.c.doc.between(first, last))
    return select(audit_subjects.c.personal_id, audit_subjects.c.seq).where(
        audit_subjects.c.seq.between(first, last))


def decoded(dialect: str, pairs: Iterable[tuple[str, int]]) -> Iterable[tuple[str, int]]:
    """``pairs`` as ``(personal_id, seq)``."""
    if dialect != "sqlite":
        return pairs
    return ((decode(term), seq) for term, seq in pairs)


async def sqlite_legacy_index(conn: AsyncConnection) -> bool:
    """True when the trail was made before the FTS5 index (it has an ``audit_subjects`` table)."""
    return (await conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_subjects'")).first() is not None


async def create_sqlite_index(conn: AsyncConnection, *, legacy: bool) -> None:
    """Create the FTS5 index; a ``legacy`` trail (:func:`sqlite_legacy_index`, asked before creating tables) is
    indexed from its records and its old table dropped (the index is derived from the records, which stay)."""
    for statement in SQLITE_DDL:
        await conn.exec_driver_sql(statement)
    if not legacy:
        return
    await conn.exec_driver_sql(
        f"INSERT INTO {FTS_TABLE} (rowid, tokens) SELECT seq, ({_TOKENS.format(subjects='audit_log.subjects')}) "
        "FROM audit_log WHERE subjects != '[]'")
    await conn.exec_driver_sql("DROP TABLE audit_subjects")


async def delete_before(conn: AsyncConnection, first_kept: int) -> None:
    """Remove the pairs of the records before ``first_kept`` (a prune, before the records themselves go)."""
    if conn.dialect.name == "sqlite":
        # a contentless FTS5 row is deleted by naming its tokens again, computed as when it was written
        await conn.execute(text(
            f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, tokens) SELECT 'delete', seq, "
            f"({_TOKENS.format(subjects='audit_log.subjects')}) FROM audit_log "
            "WHERE seq < :first AND subjects != '[]'"), {"first": first_kept})
        return
    await conn.execute(audit_subjects.delete().where(audit_subjects.c.seq < first_kept))

