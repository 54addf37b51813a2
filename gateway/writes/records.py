"""A request's writes as the audit trail keeps them: per mutation call, its outcome, subjects and the
before/after hashes the subgraph reported (``subgraphs/common/writes.py``; never values).

Outcomes of a write call:

- ``written``: the subgraph reported at least one written record for it;
- ``refused``: the write policy refused it (``policies/writes.rego``): the subgraph was never called;
- ``rejected``: the subgraph refused the input (``BAD_USER_INPUT``): nothing written;
- ``not_sent``: the subgraph certainly never ran it (no connection; nothing written): a retry may run it;
- ``unknown``: the subgraph failed after the operation was sent: whether it wrote is not known here;
- ``not_written``: the subgraph answered without reporting a write (e.g. nothing to change);
- ``replayed``: an ``Idempotency-Key`` retry answered with the first result: nothing written again (by the
  gateway's store, or by the subgraph, which recognised the request's write key and reported the first write's
  records marked ``replayed``);
- ``intended``: in the record made before the subgraph is called (the request's own record follows with the
  outcome); a write never happens without a durable trace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from subgraphs.common.writes import HASH_PREFIX

_HASH = re.compile(re.escape(HASH_PREFIX) + r"[0-9a-f]{64}")
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,127}")
_COORDINATE = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,127}\.[_A-Za-z][_0-9A-Za-z]{0,127}")
_ID = re.compile(r"[0-9A-Za-z._:\-]{1,128}")
_PERSONAL_ID = re.compile(r"[0-9A-Za-z]{6,32}")
MAX_RECORDS = 100  # per request: a subgraph cannot flood the audit record
# a subgraph refusing the call before writing: the input, or a write key kept for another write
REJECTED_CODES = frozenset({"BAD_USER_INPUT", "IDEMPOTENCY_KEY_REUSED"})


@dataclass(frozen=True, slots=True)
class WriteRecord:
    """One record a subgraph reports having written for a mutation call."""

    coordinate: str
    response_key: str
    record_type: str
    record_id: str
    subjects: tuple[str, ...] = ()
    before: str | None = None  # sha256:<hex> of the record before; None: created
    after: str | None = None  # ... after; None: deleted
    replayed: bool = False  # the subgraph answered the first write under this write key: nothing written now

    @classmethod
    def parse(cls, raw: Any) -> WriteRecord | None:
        """A record from a subgraph's ``extensions`` (untrusted shape): None when malformed."""
        if not isinstance(raw, Mapping):
            return None
        coordinate, key = raw.get("coordinate"), raw.get("responseKey")
        record_type, record_id = raw.get("recordType"), raw.get("recordId")
        before, after = raw.get("before"), raw.get("after")
        subjects = raw.get("subjects") or []
        if not (isinstance(coordinate, str) and _COORDINATE.fullmatch(coordinate)
                and isinstance(key, str) and _NAME.fullmatch(key)
                and isinstance(record_type, str) and _NAME.fullmatch(record_type)
                and isinstance(record_id, str) and _ID.fullmatch(record_id)
                and all(h is None or (isinstance(h, str) and _HASH.fullmatch(h)) for h in (before, after))
                and isinstance(subjects, list)):
            return None
        kept = tuple(sorted({s for s in subjects if isinstance(s, str) and _PERSONAL_ID.fullmatch(s)}))
        return cls(coordinate, key, record_type, record_id, kept, before, after, raw.get("replayed") is True)

    def with_key(self, key: str) -> WriteRecord:
        return WriteRecord(self.coordinate, key, self.record_type, self.record_id, self.subjects, self.before,
                           self.after, self.replayed)

    def as_dict(self) -> dict[str, Any]:
        out = {"recordType": self.record_type, "recordId": self.record_id, "subjects": list(self.subjects),
               "before": self.before, "after": self.after}
        if self.replayed:
            out["replayed"] = True
        return out


@dataclass(frozen=True, slots=True)
class WriteAudit:
    """One mutation call of a request, as audited."""

    key: str  # the client's response key
    coordinate: str
    outcome: str
    subjects: tuple[str, ...] = ()
    reason: str | None = None
    records: tuple[WriteRecord, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "coordinate": self.coordinate, "outcome": self.outcome,
                               "subjects": list(self.subjects), "records": [r.as_dict() for r in self.records]}
        if self.reason:
            out["reason"] = self.reason
        return out

    @property
    def all_subjects(self) -> set[str]:
        """Declared subjects and those the written records name."""
        return set(self.subjects).union(*(r.subjects for r in self.records))


def parse_records(raw: Any) -> list[WriteRecord]:
    """The well-formed records of a subgraph's ``lienthongWrites`` list (malformed entries are dropped)."""
    if not isinstance(raw, list):
        return []
    return [r for r in (WriteRecord.parse(item) for item in raw[:MAX_RECORDS]) if r is not None]


def _error_codes_at(errors: Sequence[Mapping[str, Any]], key: str) -> set[str]:
    codes = set()
    for error in errors:
        path = error.get("path")
        if isinstance(path, list) and path and path[0] == key:
            codes.add(str((error.get("extensions") or {}).get("code", "")))
    return codes


def write_audits(calls: Iterable[Any], refused: Mapping[str, str], records: Sequence[WriteRecord],
                 errors: Sequence[Mapping[str, Any]], undelivered: Iterable[str] = ()) -> list[WriteAudit]:
    """The audit entries of a request's write calls (``gateway.writes.calls.WriteCall``): ``refused`` maps
    the response keys the policy refused to the reason; ``records`` are in client response keys; ``errors``
    are the response's errors (client paths); ``undelivered`` the keys whose subgraph certainly never ran them."""
    out: list[WriteAudit] = []
    unsent = set(undelivered)
    for call in calls:
        if not hasattr(call, "write_input"):
            continue
        mine = tuple(r for r in records if r.response_key == call.key)
        if call.key in refused:
            outcome, reason = "refused", refused[call.key]
        elif mine and all(r.replayed for r in mine):
            outcome, reason = "replayed", "the subgraph answered the first write under this request's write key"
        elif mine:
            outcome, reason = "written", None
        elif call.key in unsent:
            outcome, reason = "not_sent", "SUBGRAPH_UNAVAILABLE"
        else:
            codes = _error_codes_at(errors, call.key)
            if codes & REJECTED_CODES:
                outcome, reason = "rejected", None
            elif codes:
                outcome, reason = "unknown", ",".join(sorted(c for c in codes if c)) or None
            else:
                outcome, reason = "not_written", None
        out.append(WriteAudit(call.key, call.coordinate, outcome, tuple(call.subjects), reason, mine))
    return out


def replayed(audits: Iterable[WriteAudit]) -> list[WriteAudit]:
    """The entries of a replay: the same calls, nothing written again."""
    return [WriteAudit(a.key, a.coordinate, "replayed", a.subjects) for a in audits]
