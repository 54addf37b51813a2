"""``python -m bench.audit_latency``: the latency auditing adds to a request, under concurrent clients.

The pipeline awaits ``AuditStore.record`` before the response leaves (the record must be durable first), so the
latency auditing adds to a request is exactly the time that await takes. This drives ``--clients`` concurrent
clients, each recording a realistic record (30 coordinates, 3 masked paths, 5 subjects) in a closed loop for
``--seconds``, against a fresh SQLite file and, with ``--postgres``, a fresh PostgreSQL database, and reports
p50 / p99 of the await, records per second and records per transaction (group commit).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from gateway.audit import AuditRecord, AuditSettings, AuditStore, Outcome

COORDINATES = [f"Person.field{i}" for i in range(30)]
EFFECTS = [{"path": ["person", f"field{i}"], "coordinate": f"Person.field{i}", "effect": "withhold",
            "mask": "withhold", "reason": "004 Art. 2.4"} for i in range(3)]


def _record(client: int, n: int) -> AuditRecord:
    return AuditRecord(
        request_id=uuid.uuid4().hex, outcome=Outcome.MASKED, http_status=200, account=f"officer-{client}",
        agency="tand-ha-noi", role="agency", purpose="criminal_proceedings", legal_basis="123/2026/HS-ST",
        operation_name="Bench", document_hash="0" * 64, coordinates=COORDINATES, categories=["BASIC", "CRIMINAL"],
        effects=EFFECTS, subjects=[f"0012017{client:02d}{n % 1000:03d}"[:12] for _ in range(5)],
        decision_id=uuid.uuid4().hex, policy_version="sha256:bench",
    )


async def measure(url: str, clients: int, seconds: float) -> dict[str, float]:
    """Run the closed loop against ``url``; latencies in milliseconds."""
    store = AuditStore(AuditSettings(database_url=url))
    await store.start()
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client(index: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await store.record(_record(index, n))
            latencies.append((time.perf_counter() - started) * 1000)
            n += 1

    began = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - began
    stats = getattr(store, "stats", None)
    transactions = getattr(stats, "transactions", None) if stats is not None else None
    await store.close()
    latencies.sort()
    return {
        "records": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "records_per_transaction": len(latencies) / transactions if transactions else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--postgres", action="store_true", help="also measure a fresh PostgreSQL database")
    args = parser.parse_args(argv)
    targets: list[tuple[str, str]] = []
    tmp = tempfile.TemporaryDirectory()
    targets.append(("SQLite (WAL, synchronous=FULL)", f"sqlite+aiosqlite:///{Path(tmp.name) / 'audit.db'}"))
    scratch = None
    if args.postgres:
        from tests.postgres import create_database, drop_database

        scratch = create_database()
        targets.append(("PostgreSQL 127.0.0.1:5432", scratch))
    print("| store | clients | records/s | p50 ms | p99 ms | records/transaction |\n|---|---|---|---|---|---|")
    try:
        for label, url in targets:
            r = asyncio.run(measure(url, args.clients, args.seconds))
            print(f"| {label} | {args.clients} | {r['per_second']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                  f"{r['records_per_transaction']:.1f} |", flush=True)
    finally:
        if scratch:
            drop_database(scratch)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
