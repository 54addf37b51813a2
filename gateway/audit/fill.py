"""Fill an audit store with synthetic records through the store's own API (for measuring ``audit verify``).

``python -m gateway.audit.fill --records 1000000 [--database-url URL]`` appends records like the gateway's
(one or two subjects each, effects, a legal basis) with ``AuditStore.record``: group commit, signed checkpoints
and the witness as configured by the usual ``GATEWAY_AUDIT_*`` variables. Then time ``python -m gateway audit
verify``. Never point it at a production trail: the records are fake.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import replace

from .record import AuditRecord
from .settings import AuditSettings
from .store import AuditStore


def synthetic(i: int) -> AuditRecord:
    """A record shaped like a court's read of one or two persons with a masked field."""
    subjects = [f"{1 + i % 96:03d}0{90 + i % 10}{i % 1000000:06d}"] + ([f"079195{i % 1000000:06d}"] if i % 3 else [])
    return AuditRecord(
        request_id=f"fill-{i}", outcome="masked", http_status=200, account=f"officer-{i % 500}",
        agency="tand-ha-noi", role="agency", purpose="criminal_proceedings",
        legal_basis="Quyết định khởi tố vụ án số 12/QĐ-CSĐT", operation_name="PersonWithSentences",
        document_hash="sha256:" + f"{i % 97:02x}" * 32,
        coordinates=["Query.person", "Person.fullName", "Person.sentences"], categories=["BASIC", "CRIMINAL"],
        effects=[{"path": ["person", "religion"], "coordinate": "Person.religion", "mask": "withhold",
                  "reason": "RELIGION not needed for criminal_proceedings"}],
        subjects=subjects, decision_id=f"dec-{i % 1000}", policy_version="v1",
    )


async def fill(store: AuditStore, records: int, window: int = 4096) -> float:
    """Append ``records`` synthetic records, ``window`` in flight at a time; returns the seconds taken."""
    started = time.perf_counter()
    for base in range(0, records, window):
        await asyncio.gather(*(store.record(synthetic(i)) for i in range(base, min(base + window, records))))
    return time.perf_counter() - started


async def _main(args: argparse.Namespace) -> None:
    settings = AuditSettings.from_env()
    settings = replace(settings, database_url=args.database_url or settings.database_url, batch_max=2048,
                       queue_max=max(settings.queue_max, 8192), timeout=120)
    store = AuditStore(settings)
    await store.start()
    try:
        seconds = await fill(store, args.records)
    finally:
        await store.close()
    print(f"appended {args.records} record(s) in {seconds:.1f} s ({store.stats.transactions} transactions)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway.audit.fill", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="override GATEWAY_AUDIT_DATABASE_URL")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
