"""Interfaces distributed across subgraphs: an interface whose implementations live in different subgraphs, an
interface field whose value comes from another subgraph, fragments on implementations with fields of other
subgraphs, and a type implementing the interface only in some subgraphs."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

EVENTS = [
    {"__typename": "Birth", "id": "e1", "date": "2001-05-02"},
    {"__typename": "Marriage", "id": "e2", "date": "2024-01-10"},
    {"__typename": "Death", "id": "e3", "date": "2025-09-30"},
]
BIRTHS = {"e1": {"id": "e1", "weightGrams": 3100, "place": "Hue"}}
MARRIAGES = {"e2": {"id": "e2", "spouses": ["Ly A", "Mai B"], "place": "Hanoi"}}
DEATHS = {"e3": {"id": "e3", "cause": "natural"}}


def event_type(obj: dict[str, Any], _info: Any) -> str:
    return obj["__typename"]


def by_id(table: dict[str, dict[str, Any]]) -> Any:
    return lambda rep, _info: table.get(rep["id"])


REGISTER = Subgraph(
    "register",
    link("@key") + """
type Query {
  events: [Event!]!
  event(id: ID!): Event
}
interface Event {
  id: ID!
  date: String!
}
type Birth implements Event @key(fields: "id") {
  id: ID!
  date: String!
}
type Marriage implements Event @key(fields: "id") {
  id: ID!
  date: String!
}
type Death implements Event @key(fields: "id") {
  id: ID!
  date: String!
}
""",
    {"Query": {"events": lambda *_: EVENTS, "event": lambda _, info, id: next((e for e in EVENTS if e["id"] == id), None)},
     "Event": {"__resolveType": event_type},
     "Birth": {"__resolveReference": by_id({e["id"]: e for e in EVENTS})},
     "Marriage": {"__resolveReference": by_id({e["id"]: e for e in EVENTS})},
     "Death": {"__resolveReference": by_id({e["id"]: e for e in EVENTS})}},
)

# Births and marriages: another interface (Located) over them, only in this subgraph.
DETAILS = Subgraph(
    "details",
    link("@key") + """
interface Located {
  place: String!
}
type Birth implements Located @key(fields: "id") {
  id: ID!
  place: String!
  weightGrams: Int
}
type Marriage implements Located @key(fields: "id") {
  id: ID!
  place: String!
  spouses: [String!]!
}
type Query {
  located: [Located!]!
}
""",
    {"Birth": {"__resolveReference": by_id(BIRTHS)}, "Marriage": {"__resolveReference": by_id(MARRIAGES)},
     "Located": {"__resolveType": lambda obj, _: "Birth" if "weightGrams" in obj else "Marriage"},
     "Query": {"located": lambda *_: [BIRTHS["e1"], MARRIAGES["e2"]]}},
)

# Deaths, without implementing Event here.
MORTALITY = Subgraph(
    "mortality",
    link("@key") + """
type Death @key(fields: "id") {
  id: ID!
  cause: String
}
""",
    {"Death": {"__resolveReference": by_id(DEATHS)}},
)

CASE = Case(
    name="abstract_interfaces",
    features=("abstract types: interface", "interfaces distributed across subgraphs",
              "types implementing an interface only in some subgraphs", "entity call"),
    subgraphs=(REGISTER, DETAILS, MORTALITY),
    operations=(
        Op("interface_fields_only", "{ events { id date } }"),
        Op("fragments_with_remote_fields", """
{ events { id ... on Birth { weightGrams } ... on Marriage { spouses } ... on Death { cause } } }
"""),
        Op("single_event_remote", '{ event(id: "e3") { date ... on Death { cause } } }'),
        Op("interface_of_other_subgraph", "{ located { place ... on Birth { date } ... on Marriage { date spouses } } }"),
        Op("located_fragment_inside_event", """
{ events { __typename ... on Located { place } } }
"""),
        Op("interface_fragment_unknown_to_the_subgraph", """
{ located { place ... on Event { id date } } }
""", note="Event is not defined in details, where `located` is resolved: the planner must fetch it elsewhere"),
        Op("interfaces_nested_both_ways", """
{ events { id ... on Located { place ... on Event { date } ... on Marriage { spouses } } } }
"""),
        Op("nested_fragments_same_type", """
{ events { ... on Birth { id ... on Birth { place } } ... on Event { date } } }
"""),
    ),
)
