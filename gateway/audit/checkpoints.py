"""Making checkpoints: sign the chain's committed head, write it to the witness, then to the database.

Every method runs inside a transaction that already holds the writer lock (``BEGIN IMMEDIATE`` on SQLite, the
advisory lock on PostgreSQL), the same lock every batch of records takes: however many gateway processes share
the chain, one signs at a time and all of them see the latest checkpoint before deciding to make another.

Order matters. A periodic checkpoint names the head read under the lock, which earlier transactions committed,
and it goes to the witness *before* the database row: if the transaction then fails, the witness holds a
checkpoint of records that exist (harmless; ``audit verify`` notes it), whereas the reverse order could leave a
database checkpoint the witness never saw, which is what a forged one looks like.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from joserfc.jwk import OKPKey
from sqlalchemy import Connection, select

from .schema import audit_checkpoints, audit_log, audit_meta
from .signing import Checkpoint, sign
from .witness import Witness

log = logging.getLogger("lienthong.audit")


@dataclass(frozen=True, slots=True)
class CheckpointState:
    """What one look at the chain under the lock found: the head and how far the last checkpoint lags it."""

    head_seq: int
    uncovered: int  # records after the newest checkpoint
    made: Checkpoint | None  # the checkpoint made now, if one was due


def _age_seconds(at: str) -> float:
    moment = datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ")
    return time.time() - (moment - datetime(1970, 1, 1)).total_seconds()


class Checkpointer:
    """Signs checkpoints with the gateway's audit key and records them in the witness and the database."""

    def __init__(self, key: OKPKey, witness: Witness, *, every_records: int, every_seconds: float) -> None:
        self.key = key
        self.witness = witness
        self.every_records = every_records
        self.every_seconds = every_seconds
        self._chain_id: str | None = None  # set once in the database; immutable there

    def chain_id(self, conn: Connection) -> str:
        if self._chain_id is None:
            value = conn.execute(select(audit_meta.c.value).where(audit_meta.c.name == "chain_id")).scalar()
            if value is None:
                raise RuntimeError("the audit database has no chain id (schema not created)")
            self._chain_id = str(value)
        return self._chain_id

    def maybe(self, conn: Connection, *, force: bool = False) -> CheckpointState:
        """Checkpoint the head if due (``every_records`` behind, ``every_seconds`` old, or ``force``)."""
        head = conn.execute(select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
                            ).first()
        if head is None:
            return CheckpointState(0, 0, None)
        last = conn.execute(select(audit_checkpoints.c.seq, audit_checkpoints.c.at, audit_checkpoints.c.head_hash)
                            .order_by(audit_checkpoints.c.seq.desc()).limit(1)).first()
        uncovered = head.seq - (last.seq if last else 0)
        if uncovered <= 0:
            return CheckpointState(head.seq, 0, None)
        due = (force or last is None or uncovered >= self.every_records
               or _age_seconds(last.at) >= self.every_seconds)
        if not due:
            return CheckpointState(head.seq, uncovered, None)
        if last is not None:  # a cheap look back: tampering shows in the log long before anyone runs verify
            then = conn.execute(select(audit_log.c.hash).where(audit_log.c.seq == last.seq)).scalar()
            if then is not None and then != last.head_hash:
                log.critical("audit chain record %d no longer matches its signed checkpoint: the database was "
                             "rewritten (run `audit verify`)", last.seq)
        made = self.write(conn, head.seq, head.hash, "close" if force else "periodic")
        return CheckpointState(head.seq, 0, made)

    def write(self, conn: Connection, seq: int, head: str, kind: str, *, first_kept: int | None = None,
              preceding: str | None = None) -> Checkpoint:
        """Sign ``(seq, head)``, append it to the witness, insert it in the database (this transaction)."""
        checkpoint = sign(self.key, self.chain_id(conn), seq, head, kind, first_kept=first_kept, preceding=preceding)
        self.witness.append(checkpoint)
        conn.execute(audit_checkpoints.insert(), [checkpoint.row()])
        log.info("audit checkpoint %s at seq %d signed (%s)", kind, seq, self.key.kid)
        return checkpoint
