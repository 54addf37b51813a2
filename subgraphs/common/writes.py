"""Declarations and records of a write (issue 15, "Writes through the gateway"): what the gateway's write policy
and its audit read about a mutation.

Two composed directives (``@composeDirective``, like those of ``classification.py``), set on a ``Mutation``
field, reach the supergraph; the gateway reads them there (``gateway.writes.model``), never from names:

``@writeArea(argument: "input.registrationProvinceCode")``
    which argument (a dotted path into the field's arguments: argument name, then input field names) holds the
    *area* of the write, the 3-digit province code. The write policy scopes province-scoped agency kinds
    (``civil_registry``, ``justice_department``: 003 Art. 7.1, 8.4) to their own province with it. A mutation
    a province-scoped agency may call but that declares no area is refused (unknown means withheld).
``@writeSubject(argument: "input.personalId")`` (repeatable)
    which argument holds the personal id of a data subject of the write (the registered person, a parent, a
    spouse, an offender). The gateway audits these for every write, the refused ones too (it never calls the
    subgraph for those, so it cannot learn the subjects from the response).

One helper for the resolver, :func:`record_write`: after the write is flushed (same transaction, before the
commit is fine: the hashes describe what is committed), it records the coordinate, the record written, its
subjects and the before/after hashes of the record: ``sha256`` over the canonical JSON of its values (sorted keys,
no whitespace, UTF-8; dates ISO), never the values themselves; ``before`` is ``None`` for a creation. The
:class:`WriteRecords` schema extension puts the records in the subgraph response's ``extensions`` under
:data:`WRITES_EXTENSION`; the gateway reads them into its audit chain and NEVER forwards a subgraph's extensions
to the client (nothing internal leaves).

Usage in a subgraph::

    from subgraphs.common.writes import WriteArea, WriteRecords, WriteSubject, record_write, record_values

    @strawberry.type
    class Mutation:
        @strawberry.mutation(
            description="Register a birth (003 Art. 7.2.a, 10.2.a).",
            directives=[WriteArea(argument="input.registrationProvinceCode"),
                        WriteSubject(argument="input.motherPersonalId")],
        )
        async def register_birth(self, info: Info, input: BirthRegistrationInput) -> BirthRegistration:
            async with info.context.db.session() as session:
                row = BirthRegistrationRow(...)
                session.add(row)
                await session.flush()
                record_write(info, "BirthRegistration", row.id, before=None, after=record_values(row),
                             subjects=[input.mother_personal_id])
                await session.commit()
            return ...

    schema = strawberry.federation.Schema(query=Query, mutation=Mutation,
                                          extensions=[*schema_extensions(), WriteRecords])

The response then carries (for the gateway only)::

    {"data": {...}, "extensions": {"lienthongWrites": [{"coordinate": "Mutation.registerBirth",
        "responseKey": "registerBirth", "recordType": "BirthRegistration", "recordId": "…", "subjects": ["079…"],
        "before": null, "after": "sha256:9f…"}]}}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.federation import schema_directive
from strawberry.federation.schema_directive import Location

WRITES_SPEC_URL = "https://specs.lienthong.gov.vn/writes/v1.0"
#: Key of the subgraph response's ``extensions`` holding the write records (read by the gateway, never forwarded).
WRITES_EXTENSION = "lienthongWrites"
#: Prefix of every hash: the algorithm is named so that it can change without ambiguity in the audit chain.
HASH_PREFIX = "sha256:"
_CONTEXT_ATTR = "_lienthong_write_records"


@schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="writeArea",
    compose=True,
    import_url=WRITES_SPEC_URL,
    description=(
        "The argument (dotted path: argument, then input fields) holding the 3-digit province code of this "
        "write's area; province-scoped agencies write only in their own province (003 Art. 7.1, 8.4)."
    ),
)
class WriteArea:
    argument: str


@schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="writeSubject",
    compose=True,
    repeatable=True,
    import_url=WRITES_SPEC_URL,
    description=(
        "An argument (dotted path) holding the personal id of a data subject of this write: audited for every "
        "write, refused ones included (000 Art. 13.7, 004 Art. 38.2)."
    ),
)
class WriteSubject:
    argument: str


def _plain(value: Any) -> Any:
    """A JSON-able form of a value, deterministic for the hash (dates ISO, enums by value, sets sorted)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=repr)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"not hashable as a write record value: {type(value).__name__}")


def canonical_json(values: Mapping[str, Any]) -> bytes:
    """The canonical JSON of a record's values: sorted keys, no whitespace, UTF-8."""
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain).encode()


def record_hash(values: Mapping[str, Any] | None) -> str | None:
    """``sha256:<hex>`` of the canonical JSON of ``values``; ``None`` for no record (before a creation)."""
    if values is None:
        return None
    return HASH_PREFIX + hashlib.sha256(canonical_json(values)).hexdigest()


def record_values(row: Any, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The column values of a SQLAlchemy/SQLModel row (by column key), for :func:`record_hash`."""
    from sqlalchemy import inspect as sa_inspect  # only rows need it

    skip = set(exclude)
    mapper = sa_inspect(row).mapper
    return {c.key: getattr(row, c.key) for c in mapper.column_attrs if c.key not in skip}


def _coordinate(info: Any) -> str:
    """``Type.field`` of the resolver (strawberry's ``Info`` or graphql-core's ``GraphQLResolveInfo``)."""
    raw = getattr(info, "_raw_info", info)
    return f"{raw.parent_type.name}.{raw.field_name}"


def _response_key(info: Any) -> str:
    """The response key of the root field this write belongs to (the gateway maps it to the client's alias)."""
    path = info.path
    while path.prev is not None:
        path = path.prev
    return str(path.key)


def record_write(
    info: Any,
    record_type: str,
    record_id: str,
    *,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    subjects: Iterable[str | None] = (),
) -> dict[str, Any]:
    """Record one write of this request for the gateway's audit: the mutation coordinate and root response key
    (from ``info``; call it from the mutation's own resolver), the record written (type and id), its subjects (personal ids; ``None`` entries dropped) and the hashes of the
    record before (``None``: created) and after (``None``: deleted). Values are hashed here and dropped.

    Raises ``RuntimeError`` when the schema lacks the :class:`WriteRecords` extension: a write the gateway cannot
    audit must not pass silently (call it before the commit, so the transaction rolls back)."""
    records = getattr(info.context, _CONTEXT_ATTR, None)
    if records is None:
        raise RuntimeError("record_write: the schema has no WriteRecords extension")
    entry = {
        "coordinate": _coordinate(info),
        "responseKey": _response_key(info),
        "recordType": record_type,
        "recordId": str(record_id),
        "subjects": sorted({s for s in subjects if s}),
        "before": record_hash(before),
        "after": record_hash(after),
    }
    records.append(entry)
    return entry


class WriteRecords(SchemaExtension):
    """Collects :func:`record_write` entries for one request and returns them in the response's ``extensions``.

    Pass the class (not an instance) in the schema's ``extensions``: strawberry builds one per request."""

    def on_operation(self) -> Any:
        context = self.execution_context.context
        if context is not None:
            setattr(context, _CONTEXT_ATTR, [])
        yield

    def get_results(self) -> dict[str, Any]:
        records = getattr(self.execution_context.context, _CONTEXT_ATTR, None)
        return {WRITES_EXTENSION: list(records)} if records else {}
