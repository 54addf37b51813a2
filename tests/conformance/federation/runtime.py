"""A generic Apollo-Federation subgraph built from a case's SDL and resolvers (graphql-core), served in process.

Why not a library: ``ariadne.contrib.federation`` would be a new dependency, and what a case needs is small and
must take any SDL the cases write (Fed 1 ``extend type`` without a base type, Fed 2 ``@link`` with renamed or
namespaced imports, ``@composeDirective`` custom directives). So:

- every directive used but not defined in the SDL gets a permissive definition (repeatable, every location, each
  argument of the custom scalar ``_DirectiveArg`` that accepts any literal): the subgraph executes queries, it
  does not validate federation semantics — composition (Apollo's) does that;
- ``extend type X`` of a type the SDL never defines becomes its definition (Fed 1 style);
- ``_Any``, ``_Service { sdl }`` (the SDL as written), ``_Entity`` (every object type with ``@key``) and
  ``Query._entities(representations:)`` dispatching on ``__typename`` to ``__resolveReference`` (default: the
  representation itself, as Apollo's subgraph libraries do).

``SubgraphHost`` serves every subgraph of every case from ONE uvicorn server (one thread, one port), at
``/<case>/<subgraph>/graphql``, without internal auth, logging every operation it receives so that a test can
count a gateway's fetches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    GraphQLSchema,
    GraphQLUnionType,
    Node,
    build_ast_schema,
    graphql,
    parse,
    value_from_ast_untyped,
    visit,
)
from graphql.language import (
    DirectiveDefinitionNode,
    DirectiveNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    Visitor,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fixtures.serve import free_port, serve  # noqa: F401 - the one in-process server, re-exported

from .case import Case, Subgraph

BUILTIN_DIRECTIVES = {"skip", "include", "deprecated", "specifiedBy", "oneOf"}
ALL_LOCATIONS = (
    "SCHEMA | SCALAR | OBJECT | FIELD_DEFINITION | ARGUMENT_DEFINITION | INTERFACE | UNION | ENUM | ENUM_VALUE"
    " | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
KEY_DIRECTIVES = {"key", "federation__key"}
# Definitions → extensions: graphql-core refuses to extend a type the document does not define.
EXTENSION_TO_DEFINITION = {
    "object_type_extension": "object_type_definition",
    "interface_type_extension": "interface_type_definition",
    "union_type_extension": "union_type_definition",
    "enum_type_extension": "enum_type_definition",
    "input_object_type_extension": "input_object_type_definition",
    "scalar_type_extension": "scalar_type_definition",
}


class _DirectiveUses(Visitor):
    """Collects every directive application: name → argument names seen."""

    def __init__(self) -> None:
        super().__init__()
        self.uses: dict[str, set[str]] = {}

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.uses.setdefault(node.name.value, set()).update(arg.name.value for arg in node.arguments or ())


def _directive_definitions(document: DocumentNode) -> str:
    """Permissive definitions of the directives ``document`` uses without defining them."""
    defined = {d.name.value for d in document.definitions if isinstance(d, DirectiveDefinitionNode)}
    uses = _DirectiveUses()
    visit(document, uses)
    lines = []
    for name, args in sorted(uses.uses.items()):
        if name in defined or name in BUILTIN_DIRECTIVES:
            continue
        arguments = f"({', '.join(f'{a}: _DirectiveArg' for a in sorted(args))})" if args else ""
        lines.append(f"directive @{name}{arguments} repeatable on {ALL_LOCATIONS}")
    return "\n".join(lines)


def _promote_orphan_extensions(document: DocumentNode) -> DocumentNode:
    """``extend type X`` where X is never defined: the first such extension becomes X's definition."""
    defined = {d.name.value for d in document.definitions if isinstance(d, TypeDefinitionNode)}
    definitions: list[Node] = []
    for node in document.definitions:
        if isinstance(node, TypeExtensionNode) and node.name.value not in defined:
            defined.add(node.name.value)
            kind = EXTENSION_TO_DEFINITION[node.kind]
            node_class = _node_class(kind)
            values = {key: getattr(node, key, None) for key in node.keys if key != "loc"}
            values.setdefault("description", None)
            node = node_class(**{k: v for k, v in values.items() if k in node_class.keys})
        definitions.append(node)
    return DocumentNode(definitions=tuple(definitions))


def _node_class(kind: str) -> type[Node]:
    from graphql.language import ast

    return getattr(ast, "".join(part.capitalize() for part in kind.split("_")) + "Node")


def _key_directive_names(document: DocumentNode) -> set[str]:
    """``key``, ``federation__key`` and any name ``@link(import: [{name: "@key", as: "@..."}])`` renames it to."""
    names = set(KEY_DIRECTIVES)
    for node in document.definitions:
        if not isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in node.directives or ():
            for argument in directive.arguments or ():
                if directive.name.value != "link" or argument.name.value != "import":
                    continue
                for entry in value_from_ast_untyped(argument.value) or ():
                    if isinstance(entry, dict) and entry.get("name") == "@key" and entry.get("as"):
                        names.add(str(entry["as"]).lstrip("@"))
    return names


def _entity_types(document: DocumentNode) -> list[str]:
    """Object types (definitions or extensions) carrying ``@key`` (under any imported name), in SDL order."""
    keys = _key_directive_names(document)
    names: list[str] = []
    for node in document.definitions:
        if isinstance(node, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            if any(d.name.value in keys for d in node.directives or ()) and node.name.value not in names:
                names.append(node.name.value)
    return names


def _has_query(document: DocumentNode) -> bool:
    return any(isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode) and d.name.value == "Query"
               for d in document.definitions)


def build_subgraph_schema(subgraph: Subgraph) -> GraphQLSchema:
    """The executable schema of ``subgraph``: its SDL plus the federation additions, with its resolvers."""
    document = _promote_orphan_extensions(parse(subgraph.sdl))
    entities = _entity_types(document)
    additions = ["scalar _DirectiveArg", "scalar _Any", "type _Service { sdl: String! }"]
    query_fields = ["_service: _Service!"]
    if entities:
        additions.append(f"union _Entity = {' | '.join(entities)}")
        query_fields.append("_entities(representations: [_Any!]!): [_Entity]!")
    keyword = "extend type" if _has_query(document) else "type"
    additions.append(f"{keyword} Query {{ {' '.join(query_fields)} }}")
    extra = parse("\n".join([_directive_definitions(document), *additions]))
    schema = build_ast_schema(DocumentNode(definitions=(*document.definitions, *extra.definitions)),
                              assume_valid_sdl=False)
    _attach(schema, subgraph)
    return schema


def _attach(schema: GraphQLSchema, subgraph: Subgraph) -> None:
    """Wire the case's resolvers and the federation root fields into ``schema``."""
    for type_name, fields in subgraph.resolvers.items():
        graphql_type = schema.get_type(type_name)
        if graphql_type is None:
            raise ValueError(f"{subgraph.name}: resolvers for unknown type {type_name}")
        for field_name, resolver in fields.items():
            if field_name == "__resolveReference":
                continue
            if field_name == "__resolveType":
                graphql_type.resolve_type = _type_resolver(resolver)  # type: ignore[union-attr]
                continue
            graphql_type.fields[field_name].resolve = resolver  # type: ignore[union-attr]
    query = schema.query_type
    assert query is not None
    query.fields["_service"].resolve = lambda *_: {"sdl": subgraph.sdl}
    if "_entities" in query.fields:
        query.fields["_entities"].resolve = _entities_resolver(subgraph)
        entity_union = schema.get_type("_Entity")
        assert isinstance(entity_union, GraphQLUnionType)
        entity_union.resolve_type = lambda obj, *_: _typename(obj)


def _type_resolver(resolver: Callable[..., Any]) -> Callable[..., Any]:
    return lambda obj, info, _abstract: resolver(obj, info)


def _typename(obj: Any) -> str | None:
    if isinstance(obj, dict):
        return obj.get("__typename")
    return getattr(obj, "__typename", None)


def _entities_resolver(subgraph: Subgraph) -> Callable[..., Any]:
    def resolve(_: Any, info: Any, representations: list[dict[str, Any]]) -> list[Any]:
        results: list[Any] = []
        for representation in representations:
            typename = representation.get("__typename")
            resolver = subgraph.resolvers.get(str(typename), {}).get("__resolveReference")
            try:
                found = resolver(representation, info) if resolver else representation
            except Exception as exc:  # one entity's failure is that entity's error, as in Apollo
                found = exc
            if isinstance(found, dict) and "__typename" not in found:
                found = {**found, "__typename": typename}
            results.append(found)
        return results  # graphql-core reports an Exception item as the error at that index

    return resolve


@dataclass
class SubgraphHost:
    """Every subgraph of every case behind one ASGI app; ``log[(case, subgraph)]`` lists the requests received."""

    cases: list[Case]
    schemas: dict[tuple[str, str], GraphQLSchema] = field(default_factory=dict)
    sdl: dict[tuple[str, str], str] = field(default_factory=dict)
    log: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    state: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for case in self.cases:
            for subgraph in case.subgraphs:
                key = (case.name, subgraph.name)
                self.schemas[key] = build_subgraph_schema(subgraph)
                self.sdl[key] = subgraph.sdl
                self.log[key] = []
                self.state[key] = {}

    def reset_state(self, case: str) -> None:
        """Empty the state of ``case``'s subgraphs (mutations start from the initial data again)."""
        for (name, _), state in self.state.items():
            if name == case:
                state.clear()

    def requests(self, case: str) -> int:
        """How many requests ``case``'s subgraphs have received so far."""
        with self.lock:
            return sum(len(entries) for (name, _), entries in self.log.items() if name == case)

    def app(self) -> Starlette:
        async def endpoint(request: Request) -> Response:
            key = (request.path_params["case"], request.path_params["subgraph"])
            schema = self.schemas.get(key)
            if schema is None:
                return JSONResponse({"errors": [{"message": f"no subgraph {key}"}]}, status_code=404)
            payload = orjson.loads(await request.body())
            with self.lock:
                self.log[key].append({"query": payload.get("query", ""), "variables": payload.get("variables")})
            result = await graphql(schema, payload.get("query", ""), variable_values=payload.get("variables"),
                                   operation_name=payload.get("operationName"),
                                   context_value={"state": self.state[key], "subgraph": key[1]})
            body: dict[str, Any] = {"data": result.data}
            if result.errors:
                body["errors"] = [e.formatted for e in result.errors]
            return Response(orjson.dumps(body), media_type="application/json")

        async def healthz(_: Request) -> JSONResponse:
            return JSONResponse({"status": "ok"})

        return Starlette(routes=[Route("/healthz", healthz),
                                 Route("/{case}/{subgraph}/graphql", endpoint, methods=["POST"]),
                                 Route("/{case}/{subgraph}/healthz", healthz)])
