"""Write keys: a mutation sent again under the same key returns its first result and writes nothing.

Why: when a subgraph does not answer in time the gateway cannot know whether the write committed (the
``unknown`` outcome of ``gateway/writes/records.py``). The gateway sends every mutation with
``X-Lienthong-Write-Key`` (:data:`WRITE_KEY_HEADER`, 64 hex digits: ``gateway/writes/write_key.py`` derives it from
the client's ``Idempotency-Key`` and the caller's agency and account, or from an id of its own for a request
without one). It sets the header itself and never forwards a client's. A subgraph keeps, **in the transaction of
the write**, one row per (write key, root response key) in ``<subgraph>_write_keys`` with the first result and its
write records; a mutation arriving with a key already kept commits nothing and answers the kept result (its write
records come back marked ``"replayed": true``, so the gateway audits a replay, not a second write). So the gateway
may run a retry after a timeout: one write, whatever happened to the first answer.

How a mutation uses it (the outbox is the model: same transaction, nothing else to run)::

    WRITE_KEYS = write_keys_table(Base.metadata, "sentences")      # models.py; migration: create_write_keys

    async def write(conn: AsyncConnection) -> dict[str, Any]:      # the whole write, in ``conn``'s transaction
        ...
        return {"event": event, "after": after}                    # plain values (dates allowed): kept as is

    state = await run_write(info.context.db, info, WRITE_KEYS, {"input": input}, write)

:func:`run_write` opens the transaction (:func:`subgraphs.common.write_tx.write_transaction`: serialised on
SQLite), looks the key up, *claims* it before the write (on PostgreSQL a concurrent request with the same key
waits for the first one's commit, then fails on the key's primary key and is retried whole: it then finds the kept
result), runs ``write`` and keeps its result. A key kept for other arguments, another mutation or another caller
is refused (``IDEMPOTENCY_KEY_REUSED``, nothing written). Without a header (a test client, an old gateway) the
write simply runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from graphql import GraphQLError
from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, and_, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry import UNSET

from . import writes
from .write_tx import write_transaction

WRITE_KEY_HEADER = "x-lienthong-write-key"
_KEY = re.compile(r"[0-9a-f]{64}")
MAX_ATTEMPTS = 5
T = TypeVar("T")


def write_keys_name(subgraph: str) -> str:
    """``<subgraph>_write_keys`` (the subgraphs may share one database, like their outboxes)."""
    if not subgraph.isidentifier() or not subgraph.islower():
        raise ValueError(f"subgraph name {subgraph!r}: the lower-case subgraph name (e.g. 'civil_status')")
    return f"{subgraph}_write_keys"


def write_keys_table(metadata: MetaData, subgraph: str) -> Table:
    """The table of kept write keys on the subgraph's ``metadata``."""
    return Table(
        write_keys_name(subgraph),
        metadata,
        Column("key", String(64), primary_key=True),
        Column("response_key", String(128), primary_key=True),  # one operation may hold several writes
        Column("coordinate", String(200), nullable=False),
        Column("agency", String(128), nullable=False),
        Column("account", String(256), nullable=False),
        Column("arguments", String(64), nullable=False),  # sha256 of the canonical JSON of the arguments
        Column("result", Text, nullable=True),  # null while the claiming transaction runs
        Column("records", Text, nullable=True),  # its write records (JSON list), replayed to the gateway
        Column("created_at", DateTime(timezone=True), nullable=False),
    )


def create_write_keys(op: Any, subgraph: str) -> None:
    """Create ``<subgraph>_write_keys`` from an alembic revision; same columns as the model."""
    import sqlalchemy as sa

    op.create_table(
        write_keys_name(subgraph),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("response_key", sa.String(128), nullable=False),
        sa.Column("coordinate", sa.String(200), nullable=False),
        sa.Column("agency", sa.String(128), nullable=False),
        sa.Column("account", sa.String(256), nullable=False),
        sa.Column("arguments", sa.String(64), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("records", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "response_key"),
    )


def drop_write_keys(op: Any, subgraph: str) -> None:
    """Downgrade of :func:`create_write_keys`."""
    op.drop_table(write_keys_name(subgraph))


# -- the kept result: plain values with their types (a date comes back a date, for the result types) ---------

def _tagged(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, enum.Enum):
        return _tagged(value.value)
    if isinstance(value, Mapping):
        return {str(k): _tagged(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a mutation's input (arguments' hash)
        return {f.name: _tagged(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if value is UNSET:
        return {"$unset": True}
    if isinstance(value, list | tuple):
        return [_tagged(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a kept write result holds plain values, not {type(value).__name__}")


def _untagged(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, raw), = value.items()
            if tag == "$datetime":
                return dt.datetime.fromisoformat(raw)
            if tag == "$date":
                return dt.date.fromisoformat(raw)
            if tag == "$decimal":
                return decimal.Decimal(raw)
        return {k: _untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    return value


def dump_result(value: Any) -> str:
    """The JSON a kept result is stored as (dates, datetimes and decimals tagged)."""
    return orjson.dumps(_tagged(value)).decode()


def load_result(text: str) -> Any:
    """The value :func:`dump_result` stored."""
    return _untagged(orjson.loads(text))


# -- the key of one root field of one request -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class KeyedWrite:
    """The write key of one mutation root field: the gateway's key, the root response key, who, and what."""

    key: str
    response_key: str
    coordinate: str
    agency: str
    account: str
    arguments: str


def request_write_key(info: Any) -> str | None:
    """The write key the gateway sent with this request (``None`` without one); a malformed one is refused: it
    can only come from a broken gateway, and ignoring it could write twice."""
    raw = getattr(info.context, "write_key", None)
    if raw is None:
        return None
    if not isinstance(raw, str) or not _KEY.fullmatch(raw):
        raise GraphQLError("The gateway's write key is malformed; nothing was written.",
                           extensions={"code": "INTERNAL_SERVER_ERROR"})
    return raw


def keyed_write(info: Any, arguments: Mapping[str, Any]) -> KeyedWrite | None:
    """The :class:`KeyedWrite` of the resolver's root field, or ``None`` when the request carries no key."""
    key = request_write_key(info)
    if key is None:
        return None
    caller = getattr(info.context, "caller", None) or {}
    digest = hashlib.sha256(orjson.dumps(_tagged(dict(arguments)), option=orjson.OPT_SORT_KEYS)).hexdigest()
    return KeyedWrite(key, writes._response_key(info)[:128], writes._coordinate(info),
                      str(caller.get("agency") or "")[:128], str(caller.get("sub") or "")[:256], digest)


def _where(table: Table, keyed: KeyedWrite) -> Any:
    return and_(table.c.key == keyed.key, table.c.response_key == keyed.response_key)


async def _kept(conn: AsyncConnection, table: Table, keyed: KeyedWrite) -> Mapping[str, Any] | None:
    row = (await conn.execute(select(table).where(_where(table, keyed)))).mappings().first()
    if row is None:
        return None
    if (row["coordinate"], row["agency"], row["account"], row["arguments"]) != (
            keyed.coordinate, keyed.agency, keyed.account, keyed.arguments):
        raise GraphQLError("This write key was used for another write; nothing was written.",
                           extensions={"code": "IDEMPOTENCY_KEY_REUSED"})
    return row


async def _claim(conn: AsyncConnection, table: Table, keyed: KeyedWrite) -> None:
    await conn.execute(insert(table).values(
        key=keyed.key, response_key=keyed.response_key, coordinate=keyed.coordinate, agency=keyed.agency,
        account=keyed.account, arguments=keyed.arguments, result=None, records=None,
        created_at=dt.datetime.now(dt.UTC)))


async def _keep(conn: AsyncConnection, table: Table, keyed: KeyedWrite, result: Any,
                records: list[dict[str, Any]]) -> None:
    await conn.execute(update(table).where(_where(table, keyed)).values(
        result=dump_result(result), records=orjson.dumps(records).decode()))


def _replay_records(info: Any, raw: str | None) -> None:
    """The first write's records, marked replayed, for the gateway's audit of this answer."""
    records = getattr(info.context, writes._CONTEXT_ATTR, None)
    if records is None:
        return
    for record in orjson.loads(raw or "[]"):
        records.append({**record, "replayed": True})


async def run_write(db: Any, info: Any, table: Table, arguments: Mapping[str, Any],
                    write: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """Run ``write`` once per write key (see the module docstring); returns its result, or the kept result of
    the first run under this key. A transaction that does not commit takes its write records back (the gateway
    audits what was written); one that lost a race (SQLite's lock, a taken id or key) is retried whole."""
    keyed = keyed_write(info, arguments)
    records = getattr(info.context, writes._CONTEXT_ATTR, None)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        mark = len(records) if records is not None else 0
        try:
            async with write_transaction(db) as conn:
                if keyed is not None:
                    kept = await _kept(conn, table, keyed)
                    if kept is not None and kept["result"] is not None:
                        _replay_records(info, kept["records"])
                        return load_result(kept["result"])  # type: ignore[no-any-return]
                    await _claim(conn, table, keyed)
                result = await write(conn)
                if keyed is not None:
                    await _keep(conn, table, keyed, result, list(records[mark:]) if records is not None else [])
            return result
        except (IntegrityError, OperationalError) as exc:
            if records is not None:
                del records[mark:]
            # a concurrent write took the id or the key (or held SQLite's lock from another process): retried
            # whole; the next look finds the key's first result
            if attempt == MAX_ATTEMPTS or (isinstance(exc, OperationalError) and "locked" not in str(exc)):
                raise
        except BaseException:
            if records is not None:
                del records[mark:]
            raise
    raise AssertionError("unreachable")
