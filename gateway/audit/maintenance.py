"""Export and pruning of the audit trail (``python -m gateway audit ...``); :func:`verify` is in
:mod:`gateway.audit.attest`."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

import orjson
from sqlalchemy import delete, func, select

from .attest import verify
from .chain import JSON_COLUMNS, anchor_row, chain
from .record import utc_text
from .schema import audit_log
from .store import AuditStore
from .subject_index import delete_before

EXPORT_COLUMNS = [c.name for c in audit_log.columns]
__all__ = ["PruneRefused", "PruneResult", "export", "iter_records", "prune", "verify"]


def _moment(value: str | datetime | None) -> str | None:
    """A date or datetime (ISO 8601; naive means UTC) as the store's fixed-width text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return utc_text(value)


async def iter_records(store: AuditStore, since: str | datetime | None = None,
                       until: str | datetime | None = None) -> AsyncIterator[dict[str, Any]]:
    """Records with ``since <= at < until`` in ``seq`` order, JSON columns decoded."""
    query = select(audit_log).order_by(audit_log.c.seq)
    if (start := _moment(since)) is not None:
        query = query.where(audit_log.c.at >= start)
    if (end := _moment(until)) is not None:
        query = query.where(audit_log.c.at < end)
    async with store.reader().connect() as conn:
        result = await conn.stream(query)
        async for row in result.mappings():
            out = {str(k): v for k, v in row.items()}  # keys may be str subclasses (quoted_name)
            for name in JSON_COLUMNS:
                out[name] = orjson.loads(out[name])
            yield out


async def export(store: AuditStore, out: TextIO, fmt: str = "jsonl", since: str | None = None,
                 until: str | None = None) -> int:
    """Write records as JSON lines or CSV (list columns as JSON text); returns the count."""
    count = 0
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS) if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    async for record in iter_records(store, since, until):
        if writer is not None:
            writer.writerow({k: orjson.dumps(v).decode() if k in JSON_COLUMNS else v for k, v in record.items()})
        else:
            out.write(orjson.dumps(record).decode() + "\n")
        count += 1
    return count


@dataclass(frozen=True, slots=True)
class PruneResult:
    """What a prune did."""

    deleted: int
    first_kept: int | None
    anchor_seq: int | None


class PruneRefused(Exception):
    """Pruning would destroy evidence: the chain is broken, or the cut is inside the retention period."""


async def prune(store: AuditStore, before: str | datetime, retention_days: int, *,
                now: datetime | None = None) -> PruneResult:
    """Delete records older than ``before``, appending first an anchor that keeps the rest verifiable.

    Refuses when ``before`` is inside the retention period or when the chain does not verify (pruning must
    not launder tampering). Runs under the writer lock, so it is safe while the gateway is serving.

    On a signed store the anchor becomes a signed ``prune`` checkpoint before anything is deleted: the anchor is
    committed first, then one transaction signs it (witness, then database) and deletes. A crash between the two
    leaves an anchor with no signature and nothing deleted, which ``audit verify`` reports; the gateway never
    signs an anchor it did not just write, since that is exactly what a forger would ask of it.
    """
    cut = _moment(before)
    assert cut is not None
    limit = utc_text((now or datetime.now(UTC)) - timedelta(days=retention_days))
    if cut > limit:
        raise PruneRefused(f"records younger than the retention period ({retention_days} days, i.e. after "
                           f"{limit[:10]}) are kept")
    verdict = await verify(store)
    if not verdict.ok:
        assert verdict.problem is not None
        raise PruneRefused(f"the chain does not verify (seq {verdict.problem.seq}: {verdict.problem.reason})")
    async with store.writer_transaction() as (conn, head_seq, head_hash):
        oldest = (await conn.execute(select(func.min(audit_log.c.seq)))).scalar()
        first_kept = (await conn.execute(select(func.min(audit_log.c.seq)).where(audit_log.c.at >= cut))).scalar()
        first_kept = head_seq + 1 if first_kept is None else first_kept  # everything is older: keep the anchor
        if oldest is None or first_kept <= oldest:
            return PruneResult(0, oldest, None)
        if first_kept == head_seq + 1:
            preceding = head_hash
        else:
            preceding = (await conn.execute(select(audit_log.c.prev_hash).where(audit_log.c.seq == first_kept))
                         ).scalar_one()
        anchor = anchor_row(first_kept, preceding, f"pruned records before {cut} (retention {retention_days} days)")
        chain([anchor], head_seq, head_hash)
        await conn.execute(audit_log.insert(), [anchor])
    checkpointer = store.checkpointer() if store.signed else None
    async with store.writer_transaction() as (conn, _, _):
        if checkpointer is not None:
            await conn.run_sync(lambda sync: checkpointer.write(sync, anchor["seq"], anchor["hash"], "prune",
                                                                first_kept=first_kept, preceding=preceding))
        await delete_before(conn, first_kept)
        deleted = (await conn.execute(delete(audit_log).where(audit_log.c.seq < first_kept))).rowcount
    return PruneResult(deleted, first_kept, anchor["seq"])

