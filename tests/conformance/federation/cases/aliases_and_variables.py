"""Planner hygiene around hops: client aliases that shadow key fields (``id: name``) or ``__typename``'s
neighbours, variables used only in fields fetched through ``_entities`` (each subgraph operation must declare
exactly the variables it uses), defaults of operation variables reaching hop arguments, arguments on entity
fields, one field twice with different arguments, empty lists (no fetch) and repeated references."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

COURTS = {"c1": {"id": "c1", "name": "Hanoi"}, "c2": {"id": "c2", "name": "Hue"}, "c3": {"id": "c3", "name": "Vinh"}}
CALENDAR = {"c1": ["2026-01-05", "2026-01-12", "2026-02-02"], "c2": ["2026-03-01"], "c3": []}


def hearings(court: dict[str, Any], _info: Any, after: str = "2000-01-01", first: int = 10) -> list[str]:
    return [day for day in CALENDAR[court["id"]] if day > after][:first]


def list_courts(_: Any, _info: Any, ids: list[str]) -> list[dict[str, Any]]:
    return [COURTS[i] for i in ids]


REGISTRY = Subgraph(
    "registry",
    link("@key") + """
type Query {
  courts(ids: [ID!]!): [Court!]!
  court(id: ID!): Court
}
type Court @key(fields: "id") {
  id: ID!
  name: String!
}
""",
    {"Query": {"courts": list_courts, "court": lambda _, info, id: COURTS.get(id)},
     "Court": {"__resolveReference": lambda rep, _: COURTS.get(rep["id"])}},
)

CALENDAR_SUBGRAPH = Subgraph(
    "calendar",
    link("@key") + """
type Court @key(fields: "id") {
  id: ID!
  hearings(after: String = "2000-01-01", first: Int = 10): [String!]!
  busy(threshold: Int!): Boolean!
}
""",
    {"Court": {"__resolveReference": lambda rep, _: {"id": rep["id"]}, "hearings": hearings,
               "busy": lambda court, _, threshold: len(CALENDAR[court["id"]]) >= threshold}},
)

# Apollo Gateway 2.14 answers these with the key's value under the alias (`id: "c1"`): the key it adds to the
# fetch for the hop overwrites the client's aliased field of the same response name.
ALIAS_NOTE = ("by the spec `id: name` is the court's name under the response key `id`; Apollo Gateway returns the "
              "key field's value there (the key it selects for the hop collides with the client's alias)")

CASE = Case(
    name="aliases_and_variables",
    features=("aliases shadowing keys", "variables only in entity fetches", "arguments on entity fields",
              "entity call", "variables"),
    subgraphs=(REGISTRY, CALENDAR_SUBGRAPH),
    operations=(
        Op("alias_shadows_key", '{ court(id: "c1") { id: name hearings } }',
           expected={"data": {"court": {"id": "Hanoi", "hearings": ["2026-01-05", "2026-01-12", "2026-02-02"]}}},
           note=ALIAS_NOTE),
        Op("alias_key_as_other_name", '{ courts(ids: ["c2", "c1"]) { name: id id: name busy(threshold: 2) } }',
           expected={"data": {"courts": [{"name": "c2", "id": "Hue", "busy": False},
                                         {"name": "c1", "id": "Hanoi", "busy": True}]}},
           note=ALIAS_NOTE),
        Op("alias_with_internal_looking_prefix", '{ court(id: "c2") { _lt_a__id: name _lt_x: id hearings } }',
           note="a valid alias for GraphQL and Apollo; our planner reserves the _lt_ prefix for its own aliases"),
        Op("variable_only_in_entity_fetch", """
query H($after: String!, $ids: [ID!]!) { courts(ids: $ids) { name hearings(after: $after) } }
""", {"after": "2026-01-10", "ids": ["c1", "c2"]}),
        Op("variable_default_reaches_hop", """
query H($first: Int = 1) { courts(ids: ["c1", "c2", "c3"]) { hearings(first: $first) } }
"""),
        Op("same_field_two_arguments", """
query H($t: Int!) { court(id: "c1") { soon: hearings(first: 1) all: hearings busy(threshold: $t) idle: busy(threshold: 9) } }
""", {"t": 3}),
        Op("empty_list_no_fetch", "{ courts(ids: []) { name hearings } }"),
        Op("repeated_references", '{ courts(ids: ["c2", "c2", "c1", "c2"]) { id hearings } }'),
        Op("unused_variable_declared_refused", """
query H($unused: Int, $ids: [ID!]!) { courts(ids: $ids) { hearings(first: 2) } }
""", {"ids": ["c1"], "unused": 5}),
        Op("variables_in_both_fetches", """
query H($id: ID!, $n: Int!) { court(id: $id) { name busy(threshold: $n) } }
""", {"id": "c2", "n": 1}),
    ),
)
