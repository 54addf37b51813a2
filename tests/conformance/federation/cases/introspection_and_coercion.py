"""The API schema as clients see it, and argument values forwarded faithfully: introspection of federated types
(no ``_entities``/``_service``/``join__*`` leak; ``@deprecated`` kept), introspection next to federated fields,
and a variable that is absent (the field's default applies in the subgraph) versus explicitly null, also on
fields fetched through ``_entities``; list input coercion of a single value."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

COURTS = {"c1": {"id": "c1", "name": "Hanoi", "code": "HN"}, "c2": {"id": "c2", "name": "Hue", "code": "HUE"}}


def echo(_: Any, _info: Any, **args: Any) -> str:
    # Reports exactly what the subgraph received: absent arguments are missing, explicit nulls are "null".
    return ";".join(f"{key}={'null' if value is None else value}" for key, value in sorted(args.items())) or "-"


REGISTRY = Subgraph(
    "registry",
    link("@key") + """
type Query {
  court(id: ID!): Court
  courts(ids: [ID!]!): [Court!]!
  echo(text: String = "default", count: Int): String!
}
type Court @key(fields: "id") {
  id: ID!
  name: String!
  code: String @deprecated(reason: "use id")
}
""",
    {"Query": {"court": lambda _, info, id: COURTS.get(id), "courts": lambda _, info, ids: [COURTS[i] for i in ids],
               "echo": echo},
     "Court": {"__resolveReference": lambda rep, _: COURTS.get(rep["id"])}},
)

CLERKS = Subgraph(
    "clerks",
    link("@key") + """
type Court @key(fields: "id") {
  id: ID!
  "What the clerk's office received, argument by argument."
  clerkEcho(note: String = "none", copies: Int): String!
}
""",
    {"Court": {"__resolveReference": lambda rep, _: {"id": rep["id"]},
               "clerkEcho": lambda court, info, **args: echo(None, info, **args)}},
)

CASE = Case(
    name="introspection_and_coercion",
    features=("introspection", "argument defaults and explicit null", "input coercion", "variables", "entity call"),
    subgraphs=(REGISTRY, CLERKS),
    operations=(
        Op("type_introspection", """
{ __type(name: "Court") { name kind fields(includeDeprecated: true) { name isDeprecated deprecationReason
    args { name defaultValue type { name kind } } type { kind name ofType { name } } } } }
"""),
        Op("query_type_fields", '{ __type(name: "Query") { fields { name } } }'),
        Op("introspection_next_to_federated_fields", """
{ __schema { queryType { name } mutationType { name } } court(id: "c1") { name clerkEcho } }
"""),
        Op("entities_not_exposed_refused", '{ _entities(representations: [{__typename: "Court", id: "c1"}]) { __typename } }'),
        Op("service_not_exposed_refused", "{ _service { sdl } }"),
        Op("absent_vs_null_at_root", """
query E($t: String, $c: Int) { absent: echo(count: $c) explicit: echo(text: $t) literal: echo(text: null, count: 2) }
""", {"t": None}),
        Op("absent_vs_null_in_entity_fetch", """
query E($n: String, $k: Int) { court(id: "c2") { a: clerkEcho(copies: $k) b: clerkEcho(note: $n) c: clerkEcho(note: null) } }
""", {"n": None}),
        Op("single_value_coerced_to_list", 'query C($ids: [ID!]!) { courts(ids: $ids) { name clerkEcho(copies: 1) } }',
           {"ids": "c2"}),
        Op("literal_single_value_coerced_to_list", '{ courts(ids: "c1") { id clerkEcho(note: "x") } }'),
    ),
)
