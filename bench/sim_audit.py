"""The audit chain's side of ``python -m bench.simulate``: its lock cost, a stress of several writers, PostgreSQL's
counters and the CPU of its backends.

Every function takes the audit database's URL (a scratch ``lt_sim_<random>`` database the simulation creates and
drops); nothing here starts a server.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from typing import Any

from . import dataset
from .proc import cpu_seconds

PG_ADMIN = dataset.PG_ADMIN_DSN


def measure_audit_cost(url: str, small: int = 200, large: int = 40, batch: int = 64) -> dict[str, float]:
    """Milliseconds one transaction of 1 and of ``batch`` records takes on the audit writer's path."""
    from gateway.audit import AuditSettings, AuditStore
    from gateway.audit.chain import record_row

    from .audit_latency import _record

    async def run() -> tuple[float, float]:
        store = AuditStore(AuditSettings(database_url=url))
        await store.start()
        try:
            def timed(n: int, repeat: int) -> float:
                samples = []
                for i in range(repeat):
                    rows = [record_row(_record(i % 97, j)) for j in range(n)]
                    began = time.perf_counter()
                    store._commit_batch(rows)  # the writer thread's transaction, as a gateway runs it
                    samples.append((time.perf_counter() - began) * 1000.0)
                return statistics.median(samples)

            one = await asyncio.to_thread(timed, 1, small)
            many = await asyncio.to_thread(timed, batch, large)
        finally:
            await store.close()
        return one, many

    one, many = asyncio.run(run())
    per_record = max((many - one) / (batch - 1), 0.0)
    return {"one_ms": one, "batch": batch, "batch_ms": many, "fixed_ms": max(one - per_record, 0.0),
            "per_record_ms": per_record}


def chain_stress(url: str, writers: int, clients: int, seconds: float) -> dict[str, float]:
    """``writers`` audit stores (a gateway process's writer each: own thread, own connection, the one advisory
    lock) with ``clients`` concurrent requests each, closed loop: records/s and records per transaction, to check
    the model's batch size where HTTP load on this machine cannot reach."""
    from gateway.audit import AuditSettings, AuditStore

    from .audit_latency import _record

    async def run() -> dict[str, float]:
        stores = [AuditStore(AuditSettings(database_url=url)) for _ in range(writers)]
        for store in stores:
            await store.start()
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds

        async def client(store: AuditStore, index: int) -> None:
            n = 0
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                await store.record(_record(index % 97, n))
                latencies.append((time.perf_counter() - began) * 1000.0)
                n += 1

        began = time.perf_counter()
        await asyncio.gather(*(client(st, i) for st in stores for i in range(clients)))
        elapsed = time.perf_counter() - began
        records = sum(st.stats.records for st in stores)
        transactions = sum(st.stats.transactions for st in stores)
        for store in stores:
            await store.close()
        latencies.sort()
        return {"writers": writers, "clients": clients * writers, "seconds": elapsed, "records": records,
                "transactions": transactions, "records_per_s": records / elapsed,
                "records_per_transaction": records / max(transactions, 1),
                "p50_ms": statistics.median(latencies), "p99_ms": latencies[int(len(latencies) * 0.99) - 1]}

    return asyncio.run(run())


def pg_counters(database: str) -> dict[str, float]:
    """Committed transactions of ``database`` and the cluster's WAL figures (pg_stat_wal, PostgreSQL >= 14)."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        xact = conn.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (database,)).fetchone()
        try:
            wal = conn.execute("SELECT wal_records, wal_bytes, wal_sync, wal_write FROM pg_stat_wal").fetchone()
        except psycopg.Error:
            wal = None
    out = {"xact_commit": float(xact[0]) if xact else 0.0}
    if wal:
        out.update(wal_records=float(wal[0]), wal_bytes=float(wal[1]), wal_sync=float(wal[2]),
                   wal_write=float(wal[3]))
    return out


def chain_facts(url: str) -> dict[str, Any]:
    """Rows, first and last ``seq`` of the chain (contiguous iff rows == last - first + 1)."""
    import psycopg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        rows, first, last = conn.execute("SELECT count(*), min(seq), max(seq) FROM audit_log").fetchone()
        stored = conn.execute("SELECT pg_total_relation_size('audit_log') + pg_total_relation_size('audit_subjects')"
                              ).fetchone()[0]
    return {"rows": int(rows), "first": int(first or 0), "last": int(last or 0), "bytes": int(stored or 0),
            "contiguous": rows == 0 or int(last) - int(first) + 1 == int(rows)}


class BackendSampler:
    """CPU of a database's PostgreSQL backends over a phase, sampled twice a second: connections come and go
    with the pools, so two snapshots would lose the ones that closed and count the new ones whole."""

    def __init__(self, databases: list[str], interval_s: float = 0.5) -> None:
        self.databases = databases
        self.interval_s = interval_s
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, conn: Any, initial: bool) -> None:
        rows = conn.execute("SELECT datname, pid FROM pg_stat_activity WHERE datname = ANY(%s)",
                            (self.databases,)).fetchall()
        for datname, pid in rows:
            used = cpu_seconds(int(pid))
            key = (str(datname), int(pid))
            # a backend first seen after the start was born during the phase: all its CPU is the phase's
            self.first.setdefault(key, used if initial else 0.0)
            self.last[key] = used

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            self._sample(conn, True)
            self._started.set()
            while not self._stop.wait(self.interval_s):
                self._sample(conn, False)
            self._sample(conn, False)

    def __enter__(self) -> BackendSampler:
        self._started = threading.Event()
        self._thread.start()
        self._started.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def used(self, database: str) -> float:
        return sum(self.last[k] - self.first[k] for k in self.last if k[0] == database)
