"""The pluggable gateway-local subgraph (gateway/local_subgraph.py): services merged into one graph, composed,
planned and executed through the router in process, mutations included."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema, build_schema
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from gateway.audit import AuditStore
from gateway.auth import AgencyCatalogue, AuthSettings
from gateway.compose.compose import SubgraphSource, compose
from gateway.config import GatewaySettings
from gateway.execution import LocalTransport
from gateway.local_subgraph import (
    LOCAL_GRAPH,
    LOCAL_ROUTING_URL,
    LocalDeps,
    build_local_schema,
    federation_sdl,
    local_services,
    merged_sdl,
    register_tables,
)
from gateway.server import Gateway
from gateway.server.trivial import AllowAllPolicy, HeaderAuthenticator, NullAudit
from gateway.server.wiring import local_context
from gateway.store import GatewayStore
from gateway.supergraph.loader import load_supergraph_sdl

NOTES = MetaData()
notes = Table("local_test_notes", NOTES, Column("id", Integer, primary_key=True), Column("text", String(200)),
              Column("author", String(64)))


@dataclass
class NotesService:
    """A test service with a table, a query and a mutation (the shape H3/H8 services take)."""

    name: str = "notes"
    metadata: MetaData | None = NOTES
    sdl: str = '''
"A note."
type Note { id: ID! @personalData(category: PUBLIC, kind: IDENTIFIER)
            text: String! @personalData(category: PUBLIC, kind: TEXT)
            author: String @personalData(category: PUBLIC, kind: IDENTIFIER) }
extend type Query { notes: [Note!]! @personalData(category: PUBLIC, kind: REFERENCE) }
extend type Mutation {
  addNote(text: String!): Note! @personalData(category: PUBLIC, kind: REFERENCE)
  addOther(text: String!): Note! @personalData(category: PUBLIC, kind: REFERENCE)
}
'''

    def bind(self, schema: GraphQLSchema, deps: LocalDeps) -> None:
        async def add(_root: Any, info: Any, text: str) -> dict[str, Any]:
            author = info.context["caller"].sub
            async with deps.store.engine.begin() as conn:
                result = await conn.execute(insert(notes).values(text=text, author=author))
            return {"id": str(result.inserted_primary_key[0]), "text": text, "author": author}

        async def read(_root: Any, _info: Any) -> list[dict[str, Any]]:
            async with deps.store.engine.connect() as conn:
                rows = (await conn.execute(select(notes).order_by(notes.c.id))).all()
            return [{"id": str(r.id), "text": r.text, "author": r.author} for r in rows]

        schema.mutation_type.fields["addNote"].resolve = add  # type: ignore[union-attr]
        schema.mutation_type.fields["addOther"].resolve = add  # type: ignore[union-attr]
        schema.query_type.fields["notes"].resolve = read  # type: ignore[union-attr]


def test_merged_sdl_gathers_root_extensions() -> None:
    sdl = merged_sdl([*local_services(), NotesService()])
    assert "extend type" not in sdl
    prelude = "enum DataCategory { PUBLIC }\nenum ValueKind { IDENTIFIER TEXT REFERENCE CODE FLAG DATE FREE_TEXT }\n"
    schema = build_schema(prelude + "enum SubjectRole { SUBJECT }\n"
                          "directive @personalData(category: DataCategory!, kind: ValueKind) on FIELD_DEFINITION\n"
                          "directive @dataSubject(field: String, role: SubjectRole, facts: String, "
                          "inherit: Boolean) repeatable on OBJECT\n" + sdl)
    assert {"accessLog", "notes"} <= set(schema.query_type.fields)
    assert set(schema.mutation_type.fields) >= {"addNote", "addOther"}


def test_a_root_field_defined_twice_names_both_services() -> None:
    with pytest.raises(ValueError, match="Query.notes defined by notes and copy"):
        merged_sdl([NotesService(), NotesService(name="copy")])


def test_the_shipped_services_are_every_field_classified() -> None:
    from graphql import parse

    for node in parse(merged_sdl(local_services())).definitions:
        for field in getattr(node, "fields", None) or ():
            names = {d.name.value for d in field.directives or ()}
            if hasattr(node, "interfaces"):  # object types (inputs carry no category)
                assert "personalData" in names, f"{node.name.value}.{field.name.value}"


@pytest.fixture
async def local_gateway(tmp_path: Path):
    services = [*local_services(), NotesService()]
    supergraph = load_supergraph_sdl(compose([SubgraphSource(LOCAL_GRAPH, LOCAL_ROUTING_URL,
                                                             federation_sdl(services))]).supergraph_sdl)
    settings = replace(GatewaySettings(env="test", policy_engine="allow-all"),
                       raw_env={"LT_DATA_DIR": str(tmp_path)})
    store = GatewayStore(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    register_tables(store, services)
    from gateway.subjects import build_subject_rights

    audit = AuditStore(database_url=f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    agencies = AgencyCatalogue.load(AuthSettings().agencies_file)
    subjects = build_subject_rights(store, audit, agencies, {}, "http://127.0.0.1:9/graphql", lambda: None)
    deps = LocalDeps(audit=audit, store=store, agencies=agencies, settings=settings, subjects=subjects)
    transport = LocalTransport(LOCAL_GRAPH, build_local_schema(deps, services), context_factory=local_context)
    gateway = Gateway(settings, supergraph, authenticator=HeaderAuthenticator(), policy=AllowAllPolicy(),
                      audit=NullAudit(), transports={LOCAL_GRAPH: transport}, resources=[store])
    async with gateway:
        yield gateway
    assert not store.started  # closed with the gateway


async def test_mutations_plan_and_execute_in_order_through_the_router(local_gateway: Gateway) -> None:
    headers = {"authorization": "Bearer test:officer-7:tand-ha-noi"}
    response = await local_gateway.execute(
        'mutation { first: addNote(text: "a") { id author } second: addOther(text: "b") { id text } }',
        headers=headers)
    assert response.body.get("errors") is None, response.body
    assert response.body["data"] == {"first": {"id": "1", "author": "officer-7"}, "second": {"id": "2", "text": "b"}}
    read = await local_gateway.execute("{ notes { id text author } }", headers=headers)
    assert [n["text"] for n in read.body["data"]["notes"]] == ["a", "b"]


async def test_a_mutation_over_get_is_refused(local_gateway: Gateway) -> None:
    from gateway.pipeline import GraphQLRequest

    response = await local_gateway.handle(GraphQLRequest('mutation { addNote(text: "x") { id } }', None, None,
                                                         {"authorization": "Bearer test:o:tand-ha-noi"},
                                                         method="GET"))
    assert response.body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
