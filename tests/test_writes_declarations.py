"""subgraphs/common/writes.py: the @writeArea / @writeSubject declarations reach the supergraph, and a resolver's
write record (before/after hashes, never values) reaches the subgraph response's extensions."""

# no `from __future__ import annotations`: strawberry reads the resolver annotations at schema build time

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import strawberry
from graphql import parse
from strawberry.types.info import Info

from gateway.compose.compose import SubgraphSource, compose
from subgraphs.common.classification import DataCategory, ValueKind
from subgraphs.common.classification import field as classified_field
from subgraphs.common.federation import Schema
from subgraphs.common.writes import (
    WRITES_EXTENSION,
    WriteArea,
    WriteRecords,
    WriteSubject,
    canonical_json,
    record_hash,
    record_write,
)


@strawberry.input
class ThingInput:
    province_code: str
    owner_id: str
    note: str = ""


@strawberry.type
class Thing:
    id: str = classified_field(DataCategory.PUBLIC, "Id.", kind=ValueKind.IDENTIFIER)
    note: str = classified_field(DataCategory.PUBLIC, "Note.", kind=ValueKind.TEXT)


@dataclass
class _Context:
    store: dict[str, dict[str, Any]] = field(default_factory=dict)


@strawberry.type
class Query:
    @strawberry.field(description="A thing.")
    def thing(self, info: Info, id: str) -> Thing | None:
        row = info.context.store.get(id)
        return Thing(id=id, note=row["note"]) if row else None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create or update a thing.",
        directives=[WriteArea(argument="input.provinceCode"), WriteSubject(argument="input.ownerId")],
    )
    def put_thing(self, info: Info, id: str, input: ThingInput) -> Thing:
        before = info.context.store.get(id)
        after = {"id": id, "provinceCode": input.province_code, "ownerId": input.owner_id, "note": input.note}
        info.context.store[id] = after
        record_write(info, "Thing", id, before=dict(before) if before else None, after=after,
                     subjects=[input.owner_id, None])
        return Thing(id=id, note=input.note)


def _schema(with_extension: bool = True) -> Schema:
    return Schema(query=Query, mutation=Mutation,
                  extensions=[WriteRecords] if with_extension else [])


PUT = 'mutation { putThing(id: "t1", input: {provinceCode: "079", ownerId: "079123456789", note: "x"}) { id } }'


def test_write_record_in_extensions_hashes_not_values() -> None:
    schema = _schema()
    context = _Context()
    first = asyncio.run(schema.execute(PUT, context_value=context))
    assert first.errors is None
    [record] = first.extensions[WRITES_EXTENSION]
    after = {"id": "t1", "provinceCode": "079", "ownerId": "079123456789", "note": "x"}
    expected = "sha256:" + hashlib.sha256(
        json.dumps(after, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert record == {"coordinate": "Mutation.putThing", "responseKey": "putThing", "recordType": "Thing", "recordId": "t1",
                      "subjects": ["079123456789"], "before": None, "after": expected}
    assert "x" not in json.dumps(record).replace('"x"', "")  # no value leaks: only hashes and ids
    second = asyncio.run(schema.execute(PUT.replace('"x"', '"y"').replace("putThing", "again: putThing"),
                                        context_value=context))
    [update] = second.extensions[WRITES_EXTENSION]
    assert update["responseKey"] == "again"
    assert update["before"] == expected and update["after"] != expected


def test_read_has_no_write_records() -> None:
    result = asyncio.run(_schema().execute('{ thing(id: "none") { id } }', context_value=_Context()))
    assert result.errors is None and WRITES_EXTENSION not in (result.extensions or {})


def test_write_without_the_extension_fails_instead_of_passing_unaudited() -> None:
    context = _Context()
    result = asyncio.run(_schema(with_extension=False).execute(PUT, context_value=context))
    assert result.errors and "WriteRecords" in result.errors[0].message


def test_canonical_json_is_order_independent_and_typed() -> None:
    import datetime as dt

    a = {"b": 1, "a": dt.date(2020, 1, 2), "c": "Nguyễn"}
    b = {"c": "Nguyễn", "a": dt.date(2020, 1, 2), "b": 1}
    assert canonical_json(a) == canonical_json(b) == '{"a":"2020-01-02","b":1,"c":"Nguyễn"}'.encode()
    assert record_hash(a) == record_hash(b) and record_hash(None) is None
    with pytest.raises(TypeError):
        record_hash({"x": object()})


def test_declarations_reach_the_supergraph() -> None:
    sdl = _schema().as_str()
    supergraph = compose([SubgraphSource("things", "http://things/graphql", sdl)]).supergraph_sdl
    document = parse(supergraph)
    mutation = next(d for d in document.definitions if getattr(d, "name", None) and d.name.value == "Mutation")
    put = next(f for f in mutation.fields if f.name.value == "putThing")
    names = {d.name.value: d for d in put.directives}
    assert "writeArea" in names and "writeSubject" in names
    assert '@writeArea(argument: "input.provinceCode")' in supergraph
    assert '@writeSubject(argument: "input.ownerId")' in supergraph
