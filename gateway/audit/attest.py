"""``audit verify``: the hash chain, and on a signed store its signed checkpoints and the witness.

What a database administrator can do with the gateway's account, and what catches it:

- change, insert, delete or reorder records: the hash chain (:class:`~gateway.audit.chain.ChainVerifier`);
- rewrite the whole chain consistently (every hash recomputed): its heads differ from the signed checkpoints;
- delete the tail, or everything: the chain no longer reaches the newest witnessed checkpoint;
- insert a prune anchor and delete what precedes it: an anchor (and a chain start) counts only when the gateway
  signed a ``prune`` checkpoint for it;
- forge or delete checkpoints in the database: each must carry a valid signature by a key in the verify keys and
  appear in the witness (a witnessed checkpoint missing from the database is only noted: the witness is the
  authority, and a checkpoint transaction that failed after its witness write leaves exactly that).

The witness is read before the database (every head it names was committed before it was written, so the chain
read afterwards contains it) and again if a database checkpoint is not in the first reading (made meanwhile).
Records after the newest checkpoint are covered by the chain only: at most about ``checkpoint_records`` records
or ``checkpoint_seconds`` of them, the stated limit of what a tail truncation can remove unseen.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .chain import (
    INDEX_MISMATCH,
    KIND_ANCHOR,
    OPTIONAL_COLUMNS,
    SORTED_COLUMNS,
    ChainVerifier,
    Problem,
    Verdict,
    index_fingerprint,
    locate_index_problem,
)
from .schema import audit_checkpoints, audit_log, chain_id
from .signing import BadCheckpoint, Checkpoint, load_verify_keys, parse
from .store import AuditStore
from .subject_index import decoded, pairs_between
from .witness import open_witness

FETCH = 10_000  # rows per round trip of the server-side cursor


async def verify(store: AuditStore, checkpoints: Mapping[int, str] | None = None) -> Verdict:
    """Verify the whole trail; the verdict lists what failed (first the chain's first bad record)."""
    if not store.signed:
        return await _walk(store, checkpoints or {}, None, None)
    settings = store.settings
    assert settings.verify_keys_file is not None and settings.witness is not None
    keys = load_verify_keys(settings.verify_keys_file)
    witness = open_witness(settings.witness)
    tokens = witness.all()
    async with store.reader().connect() as conn:
        chain = await chain_id(conn)
        db_rows = (await conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.seq))).mappings().all()
    problems: list[Problem] = []
    notes: list[str] = []
    if not keys.keys:
        problems.append(Problem(None, f"no audit verify keys in {settings.verify_keys_file}"))
    witnessed = _witnessed(tokens, keys, chain, problems)
    _check_database_checkpoints(db_rows, keys, chain, witnessed, witness, problems)
    in_db = {row["token"] for row in db_rows}
    if missing := sum(1 for cp in witnessed if cp.token not in in_db):
        notes.append(f"{missing} witnessed checkpoint(s) are not in the database (a checkpoint transaction that "
                     "failed or is in flight, or deleted there); the witness is authoritative")
    expected = dict(checkpoints or {})
    for cp in witnessed:
        if expected.setdefault(cp.seq, cp.head) != cp.head:
            problems.append(Problem(cp.seq, "two checkpoints name different heads for this seq (forked or "
                                            "rewritten chain)"))
    prunes = {cp.seq: (int(cp.first_kept or 0), str(cp.preceding)) for cp in witnessed if cp.kind == "prune"}
    verdict = await _walk(store, expected, prunes, set(prunes.values()))
    newest = max((cp.seq for cp in witnessed), default=None)
    if not witnessed and verdict.records:
        notes.append("no signed checkpoint yet: nothing outside the database vouches for this chain")
    elif newest is not None and verdict.head_seq is not None and verdict.head_seq > newest:
        notes.append(f"{verdict.head_seq - newest} record(s) after the newest checkpoint (seq {newest}) are "
                     "covered by the hash chain only, until the next checkpoint")
    return replace(verdict, problems=verdict.problems + tuple(problems), notes=tuple(notes),
                   checkpoints=len(witnessed), witnessed_seq=newest)


def _witnessed(tokens: list[str], keys: Any, chain: str | None, problems: list[Problem]) -> list[Checkpoint]:
    """The witness's checkpoints whose signature verifies and that belong to this chain."""
    out: list[Checkpoint] = []
    for number, token in enumerate(tokens, 1):
        try:
            cp = parse(token, keys)
        except BadCheckpoint as exc:
            problems.append(Problem(None, f"witness entry {number}: {exc} (forged or corrupted witness entry)"))
            continue
        if cp.chain != chain:
            problems.append(Problem(cp.seq, f"witness entry {number} is a checkpoint of chain {cp.chain}, but the "
                                            f"database holds chain {chain} (database replaced or recreated)"))
            continue
        out.append(cp)
    return out


def _check_database_checkpoints(rows: Any, keys: Any, chain: str | None, witnessed: list[Checkpoint],
                                witness: Any, problems: list[Problem]) -> None:
    """Every checkpoint the database holds is signed, consistent with its columns, and in the witness."""
    seen = {cp.token for cp in witnessed}
    reread: set[str] | None = None
    for row in rows:
        try:
            cp = parse(row["token"], keys)
        except BadCheckpoint as exc:
            problems.append(Problem(row["seq"], f"checkpoint in the database: {exc} (forged checkpoint)"))
            continue
        if (cp.chain, cp.seq, cp.kind, cp.head, cp.first_kept) != (
                chain, row["seq"], row["kind"], row["head_hash"], row["first_kept"]):
            problems.append(Problem(row["seq"], "checkpoint row disagrees with its signed payload (altered)"))
            continue
        if row["token"] not in seen:
            if reread is None:
                reread = set(witness.all())  # it may have been made after the witness was first read
            if row["token"] not in reread:
                problems.append(Problem(row["seq"], f"signed checkpoint in the database is missing from the witness "
                                                    f"{witness!r} (witness truncated, or not this chain's witness)"))


async def _walk(store: AuditStore, checkpoints: Mapping[int, str], signed_anchors: Mapping[int, tuple[int, str]]
                | None, starts: set[tuple[int, str]] | None) -> Verdict:
    """Stream the chain in ``seq`` order through a :class:`ChainVerifier`, then check the subject index.

    Rows arrive through a server-side cursor in partitions of :data:`FETCH` as plain tuples (a mapping per row,
    and an await per row, cost more than hashing it); the subject index is compared by fingerprint, so memory
    stays flat however long the chain.
    """
    columns = [audit_log.c[name] for name in (*SORTED_COLUMNS, *OPTIONAL_COLUMNS, "hash")]
    async with store.reader().connect() as conn:
        if starts is None:  # unsigned store: the anchors the rows state are all there is
            anchors = (await conn.execute(select(audit_log.c.anchor_seq, audit_log.c.anchor_hash)
                                          .where(audit_log.c.kind == KIND_ANCHOR))).all()
            starts = {(a.anchor_seq, a.anchor_hash) for a in anchors}
        verifier = ChainVerifier(starts, checkpoints, signed_anchors)
        add = verifier.add_values

        def feed(partition: Any) -> bool:
            return all(add(tuple(values)) for values in partition)

        # Hash partition k on a thread while the loop fetches k+1: the database's time and ours overlap.
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-verify") as hasher:
            pending: asyncio.Future[bool] | None = None
            async with contextlib.aclosing(_partitions(conn, select(*columns).order_by(audit_log.c.seq))) as parts:
                async for partition in parts:
                    if pending is not None and not await pending:
                        pending = None
                        break
                    pending = loop.run_in_executor(hasher, feed, partition)
            if pending is not None:
                await pending
        if verifier.problem is not None or verifier.first is None:
            return verifier.finish(None if verifier.problem else (0, 0))
        # Only the records verified: rows a writer appended meanwhile are not part of this verdict.
        dialect = conn.dialect.name
        span = pairs_between(dialect, verifier.first, verifier.prev_seq)
        count = total = 0
        async for partition in _partitions(conn, span):
            part_count, part_sum = index_fingerprint(decoded(dialect, (tuple(pair) for pair in partition)))
            count, total = count + part_count, total + part_sum
        verdict = verifier.finish((count, total & 0xFFFFFFFFFFFFFFFF))
        if verdict.problem is not None and verdict.problem.reason == INDEX_MISMATCH:
            records = (await conn.execute(select(audit_log.c.seq, audit_log.c.subjects).where(
                audit_log.c.seq.between(verifier.first, verifier.prev_seq)))).all()
            pairs = sorted(decoded(dialect, (tuple(p) for p in (await conn.execute(span)).all())),
                           key=lambda pair: pair[1])
            verdict = replace(verdict, problems=(locate_index_problem(records, pairs),))
    return verdict


async def _partitions(conn: AsyncConnection, statement: Select[Any]) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """The rows of ``statement`` through a server-side cursor, :data:`FETCH` at a time.

    On PostgreSQL straight from asyncpg's cursor: SQLAlchemy's async result costs a greenlet switch and a Row per
    row, three times what fetching costs (1 M records: 5 s raw, 18 s through the result). Elsewhere (SQLite) the
    SQLAlchemy stream.
    """
    if conn.dialect.name != "postgresql":
        result = await conn.stream(statement.execution_options(yield_per=FETCH))
        try:
            async for partition in result.partitions(FETCH):
                yield partition
        finally:
            await result.close()
        return
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    sql = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    async with contextlib.AsyncExitStack() as stack:
        if not driver.is_in_transaction():  # a cursor lives in a transaction
            await stack.enter_async_context(driver.transaction(readonly=True))
        cursor = await driver.cursor(sql)
        while rows := await cursor.fetch(FETCH):
            yield rows
