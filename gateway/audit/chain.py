"""The hash chain: canonical form of a row, its hash, and verification of a sequence of rows.

``hash = SHA-256(canonical JSON of every column of HASHED_COLUMNS, ``prev_hash`` included, and of every column
of OPTIONAL_COLUMNS that is not null)``; canonical JSON is orjson with sorted keys (compact, UTF-8). The optional
columns came later (issue 14: ``grant_id``, ``disclosure_at``, ``reason``): leaving them out while null keeps the
hashes of the records written before them, so ``audit verify`` passes on an old chain.

``writes`` (optional too, issue 15) holds, for a request calling mutations, one entry per write call: its
``key`` and ``coordinate``, ``outcome`` (``written``, ``refused``, ``rejected``, ``unknown``, ``not_written``,
``replayed``), ``subjects``, ``reason``, and the ``records`` written (``recordType``, ``recordId``, ``subjects``,
``before`` / ``after`` as ``sha256:<hex>`` of the record's canonical JSON, never its values).

Record kinds: ``access`` (one request), ``anchor`` (a prune), ``grant`` (a change of the grants registry,
:mod:`gateway.grants`: ``operation_name`` ``grant.create`` / ``grant.revoke``, ``grant_id``, ``reason`` the
revocation reason, ``account``/``agency``/``role`` the registrar). Row ``seq`` numbers are contiguous; the first row's ``prev_hash`` is
:data:`GENESIS`, unless older rows were pruned, in which case an ``anchor`` row later in the chain states which
``seq`` the kept records start at and the hash that precedes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from .record import AuditRecord, Outcome, effect, utc_text

GENESIS = "0" * 64
KIND_ACCESS = "access"
KIND_ANCHOR = "anchor"
KIND_GRANT = "grant"
HASHED_COLUMNS = (
    "seq", "kind", "at", "request_id", "account", "agency", "role", "purpose", "legal_basis", "operation_name",
    "document_hash", "coordinates", "categories", "effects", "subjects", "outcome", "http_status", "error_code",
    "decision_id", "policy_version", "anchor_seq", "anchor_hash", "note", "prev_hash",
)
# Hashed only when not null (added after the first chains were written; see the module docstring).
OPTIONAL_COLUMNS = ("grant_id", "disclosure_at", "reason", "writes")
JSON_COLUMNS = ("coordinates", "categories", "effects", "subjects")
# orjson keeps insertion order: a dict built in this order dumps to the canonical (sorted-key) form unsorted.
SORTED_COLUMNS = tuple(sorted(HASHED_COLUMNS))


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def row_hash(row: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of a row's canonical form."""
    values = {name: row.get(name) for name in HASHED_COLUMNS}
    values.update({name: row[name] for name in OPTIONAL_COLUMNS if row.get(name) is not None})
    canonical = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def index_fingerprint(pairs: Iterable[tuple[str, int]]) -> tuple[int, int]:
    """An order-free digest ``(count, sum of keyed hashes mod 2**64)`` of ``(personal_id, seq)`` pairs.

    Verifying a million records must not hold every pair in memory: both sides (the records' subjects and the
    index rows) are reduced to this. ``hash()`` of a tuple of str is SipHash under this process's random key, so
    nobody can craft index rows whose hashes cancel; a mismatch is then located exactly (a second, rare pass).
    """
    count = total = 0
    for pair in pairs:
        count += 1
        total += hash(pair)
    return count, total & 0xFFFFFFFFFFFFFFFF


def record_row(record: AuditRecord, at: str | None = None) -> dict[str, Any]:
    """The column values of an access record, without ``seq``/``prev_hash``/``hash`` (set by the writer)."""
    return {
        "kind": record.kind,
        "at": at or utc_text(record.at),
        "request_id": record.request_id,
        "account": record.account,
        "agency": record.agency,
        "role": record.role,
        "purpose": record.purpose,
        "legal_basis": record.legal_basis,
        "operation_name": record.operation_name,
        "document_hash": record.document_hash,
        "coordinates": _json(sorted(set(record.coordinates))),
        "categories": _json(sorted(set(record.categories))),
        "effects": _json([effect(e).as_dict() for e in record.effects]),
        "subjects": _json(sorted(set(record.subjects))),
        "outcome": str(Outcome(record.outcome)),
        "http_status": int(record.http_status),
        "error_code": record.error_code,
        "decision_id": record.decision_id,
        "policy_version": record.policy_version,
        "anchor_seq": None,
        "anchor_hash": None,
        "note": record.note,
        "grant_id": record.grant_id,
        "disclosure_at": utc_text(record.disclosure_at) if record.disclosure_at is not None else None,
        "reason": record.reason,
        # a mutation's writes (gateway.writes.records.WriteAudit): coordinate, subjects, outcome, before/after hashes
        "writes": _json([dict(w) for w in record.writes]) if record.writes else None,
    }


def anchor_row(first_kept: int, preceding_hash: str, note: str) -> dict[str, Any]:
    """An anchor: records before ``first_kept`` were pruned; ``preceding_hash`` is the hash that preceded it."""
    empty = {name: None for name in HASHED_COLUMNS}
    empty.update(kind=KIND_ANCHOR, at=utc_text(), coordinates="[]", categories="[]", effects="[]", subjects="[]",
                 anchor_seq=first_kept, anchor_hash=preceding_hash, note=note)
    for name in ("seq", "prev_hash"):
        empty.pop(name)
    return empty


def chain(rows: list[dict[str, Any]], head_seq: int, head_hash: str) -> tuple[int, str]:
    """Assign ``seq``/``prev_hash``/``hash`` to ``rows`` in order after the head; return the new head."""
    for row in rows:
        head_seq += 1
        row["seq"] = head_seq
        row["prev_hash"] = head_hash
        row["hash"] = head_hash = row_hash(row)
    return head_seq, head_hash


INDEX_MISMATCH = "the subject index does not match the records' subjects"


def locate_index_problem(records: Iterable[tuple[int, str]], index: Iterable[tuple[str, int]]) -> Problem:
    """The first disagreement between records ``(seq, subjects JSON)`` and index rows ``(personal_id, seq)``."""
    expected = {(pid, seq) for seq, subjects in records for pid in orjson.loads(subjects or "[]")}
    for pid, seq in index:
        if (pid, seq) not in expected:
            return Problem(seq, f"subject index names {pid} but the record does not (forged index)")
        expected.discard((pid, seq))
    if expected:
        pid, seq = min(expected, key=lambda p: p[1])
        return Problem(seq, f"subject index lacks {pid} (index row deleted)")
    return Problem(None, INDEX_MISMATCH)


@dataclass(frozen=True, slots=True)
class Problem:
    """The first bad record and why."""

    seq: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """Result of verifying the whole chain (and, on a signed store, its checkpoints and witness)."""

    records: int
    first_seq: int | None
    head_seq: int | None
    head_hash: str | None
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()  # findings that are not failures (e.g. records not yet checkpointed)
    checkpoints: int = 0  # signed checkpoints verified
    witnessed_seq: int | None = None  # the newest witnessed checkpoint the chain reaches

    @property
    def problem(self) -> Problem | None:
        """The first problem found, or None."""
        return self.problems[0] if self.problems else None

    @property
    def ok(self) -> bool:
        return not self.problems


class ChainVerifier:
    """Feed rows in ``seq`` order (:meth:`add`), then :meth:`finish` with the subject index."""

    def __init__(self, anchors: Iterable[tuple[int, str]], checkpoints: Mapping[int, str] | None = None,
                 signed_anchors: Mapping[int, tuple[int, str]] | None = None) -> None:
        self.anchors = set(anchors)  # (anchor_seq, anchor_hash) the chain may start after
        self.checkpoints = dict(checkpoints or {})
        # seq -> (anchor_seq, anchor_hash) of the prune checkpoints the gateway signed; None: unsigned store
        self.signed_anchors = signed_anchors
        self.count = 0
        self.first: int | None = None
        self.prev_seq: int | None = None
        self.prev_hash: str | None = None
        self.problem: Problem | None = None
        self._index_count = 0
        self._index_sum = 0

    def add(self, row: Mapping[str, Any]) -> bool:
        """Check one row; returns False once a problem was found (stop feeding)."""
        return self.add_values(tuple(row.get(name) for name in (*SORTED_COLUMNS, *OPTIONAL_COLUMNS))
                               + (row["hash"],))

    def add_values(self, values: tuple[Any, ...]) -> bool:
        """:meth:`add` for a row given as the values of :data:`SORTED_COLUMNS`, then optionally those of
        :data:`OPTIONAL_COLUMNS`, then ``hash`` (the fast path)."""
        row = dict(zip(SORTED_COLUMNS, values, strict=False))
        stored = values[-1]
        optional = values[len(SORTED_COLUMNS):-1]
        extra = {name: value for name, value in zip(OPTIONAL_COLUMNS, optional, strict=False) if value is not None}
        seq = row["seq"]
        if self.prev_seq is None:
            self.first = seq
            if not (seq == 1 and row["prev_hash"] == GENESIS) and (seq, row["prev_hash"]) not in self.anchors:
                signed = "signed " if self.signed_anchors is not None else ""
                return self._bad(seq, f"records before seq {seq} are missing and no {signed}prune anchor accounts "
                                      "for them (deleted or forged first record)")
            for pruned in [s for s in self.checkpoints if s < seq]:  # vouched for records pruned since
                del self.checkpoints[pruned]
        elif seq != self.prev_seq + 1:
            return self._bad(seq, f"seq jumps from {self.prev_seq} to {seq}: records deleted or inserted")
        elif row["prev_hash"] != self.prev_hash:
            return self._bad(seq, f"prev_hash does not match the hash of record {self.prev_seq} "
                                  "(record inserted, deleted or reordered)")
        if extra:  # the canonical form keeps sorted keys: re-sort with the optional columns in
            actual = hashlib.sha256(orjson.dumps({**row, **extra}, option=orjson.OPT_SORT_KEYS)).hexdigest()
        else:
            actual = hashlib.sha256(orjson.dumps(row)).hexdigest()
        if actual != stored:
            return self._bad(seq, "contents do not match the record's hash (record modified)")
        if seq in self.checkpoints and self.checkpoints.pop(seq) != actual:
            return self._bad(seq, "hash differs from the signed checkpoint of this seq (chain rewritten)")
        if row["kind"] == KIND_ANCHOR:
            if row["anchor_seq"] is None or row["anchor_seq"] > seq:
                return self._bad(seq, "anchor points past itself")
            if self.signed_anchors is not None and \
                    self.signed_anchors.get(seq) != (row["anchor_seq"], row["anchor_hash"]):
                return self._bad(seq, "prune anchor without a matching signed prune checkpoint (forged anchor)")
        for pid in orjson.loads(row["subjects"] or "[]"):
            self._index_count += 1
            self._index_sum += hash((pid, seq))
        self.count += 1
        self.prev_seq, self.prev_hash = seq, actual
        return True

    def _bad(self, seq: int | None, reason: str) -> bool:
        self.problem = Problem(seq, reason)
        return False

    @property
    def index_fingerprint(self) -> tuple[int, int]:
        """:func:`index_fingerprint` of the subjects of the records added so far."""
        return self._index_count, self._index_sum & 0xFFFFFFFFFFFFFFFF

    def finish(self, index: tuple[int, int] | None = None) -> Verdict:
        """Give the verdict; ``index`` is the subject index's :func:`index_fingerprint` over the records added
        (None: not checked). A mismatch is reported without a seq: locate it with :func:`locate_index_problem`."""
        if self.problem is None and self.checkpoints:
            seq = max(self.checkpoints)
            self.problem = Problem(seq, f"the chain ends at seq {self.prev_seq or 0} but a checkpoint vouches for "
                                        f"seq {seq}: records deleted behind a checkpoint (chain truncated)")
        if self.problem is None and index is not None and index != self.index_fingerprint:
            self.problem = Problem(None, INDEX_MISMATCH)
        problems = (self.problem,) if self.problem is not None else ()
        return Verdict(self.count, self.first, self.prev_seq, self.prev_hash, problems)
