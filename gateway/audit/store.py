"""The audit store: durable, append-only, hash-chained records with group commit.

``await store.record(rec)`` returns only after the transaction holding ``rec`` committed. One writer task
drains a queue: every record waiting when it starts a transaction goes into that transaction (group commit), the
chain is computed in queue order inside the transaction after taking the writer lock (``BEGIN IMMEDIATE`` on
SQLite, an advisory lock on PostgreSQL) and reading the head, so several gateway processes can share a database.
If the transaction fails, or the writer is gone, or the commit takes longer than ``timeout``, the waiting
requests get :class:`AuditUnavailable` (503 ``AUDIT_UNAVAILABLE``, no data leaves).

The batch transaction itself runs on one dedicated thread with the synchronous driver (sqlite3 / psycopg):
through the async engine it cost ~10 event-loop/thread round trips per batch (about 2.5 ms for a single
record), in one thread hop it costs a fraction of a millisecond, and that await is what every request waits for.

Signed checkpoints (:mod:`gateway.audit.checkpoints`) are made on the same thread, each in its own short
transaction under the same writer lock: after a batch once ``checkpoint_records`` records are uncovered, by a
ticker every quarter of ``checkpoint_seconds`` when the last one is older than that, and on close. If
checkpoints keep failing (the witness is unwritable), records are refused once twice ``checkpoint_records`` are
uncovered: the trail would otherwise grow with nothing outside the database vouching for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from subgraphs.common.db import sync_url

from .batch_writer import BatchWriter
from .chain import GENESIS, record_row
from .checkpoints import Checkpointer, CheckpointState
from .record import AuditReceipt, AuditRecord, AuditUnavailable
from .schema import POSTGRES_LOCK, audit_log, create_schema
from .settings import AuditSettings
from .signing import load_signing_key
from .witness import open_witness

log = logging.getLogger("lienthong.audit")
_STOP = object()


@dataclass(slots=True)
class AuditStats:
    """Counters of the writer (per store instance)."""

    records: int = 0
    transactions: int = 0
    failed_transactions: int = 0
    largest_batch: int = 0


def _sqlite_engine(url: str, *, immediate: bool) -> AsyncEngine:
    engine = create_async_engine(url)
    _sqlite_pragmas(engine.sync_engine, immediate=immediate)
    return engine


def _batch_engine(url: str) -> Engine:
    """The synchronous engine the writer thread commits batches with (``BEGIN IMMEDIATE`` on SQLite)."""
    # two connections: the one BatchWriter holds, and the checkpoints' short transactions
    engine = create_engine(sync_url(url), pool_size=2, max_overflow=0, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        _sqlite_pragmas(engine, immediate=True)
    return engine


def _sqlite_pragmas(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below); WAL + synchronous=FULL: committed means on disk.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class AuditStore:
    """Append-only audit trail in SQLite or PostgreSQL. Use ``await start()`` / ``await close()``."""

    def __init__(self, settings: AuditSettings | None = None, *, database_url: str | None = None) -> None:
        self.settings = settings or AuditSettings()
        self.url = database_url or self.settings.database_url
        self.timeout = self.settings.timeout
        self.stats = AuditStats()
        self.engine: AsyncEngine | None = None  # readers
        self._writer_engine: AsyncEngine | None = None  # maintenance (prune) transactions
        self._batch_engine: Engine | None = None  # the writer thread's batch transactions
        self._batch: BatchWriter | None = None  # made, used and closed on the writer thread only
        self._executor: ThreadPoolExecutor | None = None
        self._queue: asyncio.Queue[Any] = asyncio.Queue(self.settings.queue_max)
        self._task: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._closing = False
        self._checkpointer: Checkpointer | None = None
        # Records after the newest checkpoint this process knows of (counted on the chain, so records other
        # processes wrote count too); a checkpoint transaction refreshes it from the database.
        self._uncovered = 0
        self._covered_seq = 0

    @property
    def signed(self) -> bool:
        """True when this store signs checkpoints (a signing key and a witness are configured)."""
        return self.settings.signing_key_file is not None and self.settings.witness is not None

    def checkpointer(self) -> Checkpointer:
        """The checkpoint signer (loads, or in development creates, the audit key on first use)."""
        if self._checkpointer is None:
            s = self.settings
            if s.signing_key_file is None or s.witness is None or s.verify_keys_file is None:
                raise AuditUnavailable("no audit signing key / witness configured")
            try:
                key = load_signing_key(s.signing_key_file, s.verify_keys_file, create=s.create_signing_key)
                witness = open_witness(s.witness)
            except (RuntimeError, ValueError, OSError) as exc:
                raise AuditUnavailable(f"audit signing unavailable: {exc}") from exc
            self._checkpointer = Checkpointer(key, witness, every_records=s.checkpoint_records,
                                              every_seconds=s.checkpoint_seconds)
        return self._checkpointer

    @property
    def dialect(self) -> str:
        return make_url(self.url).get_backend_name()

    async def start(self, *, writer: bool = True) -> None:
        """Connect, create the schema if absent, and start the writer (``writer=False``: read/maintenance only).

        Raises :class:`AuditUnavailable` when the database cannot be reached or written.
        """
        try:
            if self.dialect == "sqlite":
                database = make_url(self.url).database
                if not database or database == ":memory:":
                    raise ValueError("the SQLite audit store needs a file (a :memory: trail would not survive)")
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                self.engine = _sqlite_engine(self.url, immediate=False)
                self._writer_engine = _sqlite_engine(self.url, immediate=True)
            elif self.dialect == "postgresql":
                self.engine = create_async_engine(self.url, pool_pre_ping=True)
                self._writer_engine = self.engine
            else:
                raise ValueError(f"unsupported audit database {self.dialect!r}: use SQLite or PostgreSQL")
            async with self._writer_engine.begin() as conn:
                await create_schema(conn)
            if writer and self.signed:
                self.checkpointer()  # production without its key refuses to start here
            if writer:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-writer")
                self._batch_engine = _batch_engine(self.url)
                await asyncio.get_running_loop().run_in_executor(self._executor, self._ping_batch_engine)
        except Exception as exc:
            await self._dispose()
            raise AuditUnavailable(f"audit store unavailable: {type(exc).__name__}: {exc}") from exc
        if writer:
            self._task = asyncio.create_task(self._run(), name="audit-writer")
            self._task.add_done_callback(self._writer_done)
            if self.signed:
                self._ticker = asyncio.create_task(self._tick(), name="audit-checkpoints")

    async def close(self) -> None:
        """Write what is queued, stop the writer and release connections."""
        self._closing = True
        if self._task is not None and not self._task.done():
            await self._queue.put(_STOP)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._task), self.timeout * 2)
            self._task.cancel()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(BaseException):
                await self._ticker
        if self._executor is not None and self._checkpointer is not None:
            try:  # the tail since the last checkpoint: a cleanly stopped gateway leaves nothing uncovered
                await asyncio.get_running_loop().run_in_executor(self._executor, self._checkpoint_tx, True)
            except Exception as exc:
                log.error("final audit checkpoint failed: %s", exc)
        await self._dispose()

    async def _dispose(self) -> None:
        for engine in {id(e): e for e in (self.engine, self._writer_engine) if e is not None}.values():
            await engine.dispose()
        if self._executor is not None:
            if self._batch is not None:
                batch, self._batch = self._batch, None
                with contextlib.suppress(Exception):
                    await asyncio.get_running_loop().run_in_executor(self._executor, batch.close)
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._batch_engine is not None:
            self._batch_engine.dispose()
            self._batch_engine = None

    def _ping_batch_engine(self) -> None:
        assert self._batch_engine is not None
        with self._batch_engine.connect():
            pass

    @property
    def running(self) -> bool:
        """True while records can be accepted."""
        return self._task is not None and not self._task.done() and not self._closing

    async def record(self, record: AuditRecord) -> AuditReceipt:
        """Append ``record``; return once it is committed. Raises :class:`AuditUnavailable` otherwise."""
        if not self.running:
            raise AuditUnavailable("the audit store is not running")
        row = record_row(record)
        future: asyncio.Future[AuditReceipt] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait((row, future))
        except asyncio.QueueFull as exc:
            raise AuditUnavailable("the audit store is overloaded") from exc
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.timeout)
        except TimeoutError as exc:
            # The request answers 503 without data: the writer must not later commit this record as answered
            # (it drops it if not yet written; if it was, it appends a record saying the answer was a refusal).
            future.cancel()
            raise AuditUnavailable("the audit store did not commit in time") from exc

    async def _run(self) -> None:
        while True:
            item = await self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            stop = False
            while len(batch) < self.settings.batch_max:
                try:
                    item = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
            await self._write(batch)
            if stop:
                return

    async def _write(self, batch: list[tuple[dict[str, Any], asyncio.Future[AuditReceipt]]]) -> None:
        batch = [(row, future) for row, future in batch if not future.cancelled()]  # answered 503 already
        if not batch:
            return
        rows = [dict(row) for row, _ in batch]
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._commit_batch, rows)
        except Exception as exc:  # any failure: the waiting requests must not answer
            self.stats.failed_transactions += 1
            log.error("audit write of %d record(s) failed: %s", len(batch), exc)
            for _, future in batch:
                if not future.done():
                    future.set_exception(AuditUnavailable(f"audit store write failed: {type(exc).__name__}"))
            return
        self.stats.transactions += 1
        self.stats.records += len(batch)
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        for row, (_, future) in zip(rows, batch, strict=True):
            if not future.done():
                future.set_result(AuditReceipt(row["seq"], row["hash"]))
            elif future.cancelled():
                self._compensate(row)
        if self._checkpointer is not None and self._uncovered >= self.settings.checkpoint_records:
            # After the answers: the requests of this batch do not wait for the signature and the witness.
            await asyncio.get_running_loop().run_in_executor(self._executor, self._checkpoint_logged)

    def _compensate(self, row: dict[str, Any]) -> None:
        """The request of committed ``row`` timed out waiting for it and was answered 503 with no data: append
        a record that says so (the chain cannot be edited), naming the record it corrects."""
        fix = {key: value for key, value in row.items() if key not in ("seq", "prev_hash", "hash")}
        fix.update(outcome="failed", http_status=503, error_code="AUDIT_UNAVAILABLE", subjects="[]",
                   note=f"corrects seq {row['seq']}: that request was answered 503 without data "
                        "(the record was committed after the answer timed out)")
        done: asyncio.Future[AuditReceipt] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait((fix, done))
        except asyncio.QueueFull:
            log.critical("audit record seq %s says answered but the request got 503; the correction could not "
                         "be queued", row["seq"])

    def _commit_batch(self, rows: list[dict[str, Any]]) -> None:
        """One transaction on the writer thread: take the writer lock, read the head, chain, insert, commit."""
        assert self._batch_engine is not None
        limit = self.settings.checkpoint_records
        if self._checkpointer is not None and self._uncovered >= 2 * limit:
            self._checkpoint_tx(False)  # raises while checkpoints cannot be made: these records fail closed
        if self._batch is None:
            self._batch = BatchWriter(self._batch_engine)
        self._batch.commit(rows)
        self._uncovered = rows[-1]["seq"] - self._covered_seq

    def _checkpoint_logged(self) -> None:
        """:meth:`_checkpoint_tx` whose failure is logged: the records are committed; later batches retry."""
        try:
            self._checkpoint_tx(False)
        except Exception as exc:
            log.critical("audit checkpoint failed (%d record(s) uncovered): %s", self._uncovered, exc)

    def _checkpoint_tx(self, force: bool) -> CheckpointState:
        """On the writer thread: a transaction under the writer lock that checkpoints the head if due."""
        assert self._batch_engine is not None and self._checkpointer is not None
        with self._batch_engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(POSTGRES_LOCK)
            state = self._checkpointer.maybe(conn, force=force)
        self._uncovered = state.uncovered
        self._covered_seq = state.head_seq - state.uncovered
        return state

    async def _tick(self) -> None:
        """Checkpoint by time: records must not wait for the N-th record to be vouched for."""
        period = max(self.settings.checkpoint_seconds / 4, 0.05)
        while True:
            await asyncio.sleep(period)
            await asyncio.get_running_loop().run_in_executor(self._executor, self._checkpoint_logged)

    def _writer_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.critical("audit writer died: %s", task.exception())
        while True:  # nobody will write these: fail them now rather than at their timeout
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            if item is not _STOP and not item[1].done():
                item[1].set_exception(AuditUnavailable("the audit writer stopped"))

    @contextlib.asynccontextmanager
    async def writer_transaction(self) -> AsyncIterator[tuple[AsyncConnection, int, str]]:
        """A transaction holding the writer lock, with the chain head ``(seq, hash)`` read inside it."""
        if self._writer_engine is None:
            raise AuditUnavailable("the audit store is not started")
        async with self._writer_engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await conn.exec_driver_sql(POSTGRES_LOCK)
            head = (await conn.execute(
                select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
            )).first()
            yield conn, (head.seq if head else 0), (head.hash if head else GENESIS)

    def reader(self) -> AsyncEngine:
        """The engine for queries (verify, export, access log)."""
        if self.engine is None:
            raise AuditUnavailable("the audit store is not started")
        return self.engine
