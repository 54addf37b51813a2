"""Circular references: courts and judges point at each other across two subgraphs, directly and through an
interface (``Official``), several levels deep, so that the plan alternates between the subgraphs."""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import by_key, link

COURTS = {
    "c1": {"id": "c1", "name": "Hanoi", "judges": [{"id": "j1"}, {"id": "j2"}], "superior": {"id": "c3"}},
    "c2": {"id": "c2", "name": "Hue", "judges": [{"id": "j3"}], "superior": {"id": "c3"}},
    "c3": {"id": "c3", "name": "Supreme", "judges": [{"id": "j4"}], "superior": None},
}
JUDGES = {
    "j1": {"id": "j1", "fullName": "Le A", "court": {"id": "c1"}, "mentor": {"__typename": "Judge", "id": "j4"}},
    "j2": {"id": "j2", "fullName": "Pham B", "court": {"id": "c1"}, "mentor": {"__typename": "Judge", "id": "j1"}},
    "j3": {"id": "j3", "fullName": "Vo C", "court": {"id": "c2"}, "mentor": {"__typename": "Clerk", "id": "k1"}},
    "j4": {"id": "j4", "fullName": "Dang D", "court": {"id": "c3"}, "mentor": None},
}
CLERKS = {"k1": {"id": "k1", "fullName": "Bui K", "court": {"id": "c2"}}}

REGISTRY = Subgraph(
    "registry",
    link("@key") + """
type Query {
  court(id: ID!): Court
}
type Court @key(fields: "id") {
  id: ID!
  name: String!
  superior: Court
  judges: [Judge!]!
}
type Judge @key(fields: "id") {
  id: ID!
}
""",
    {"Query": {"court": lambda _, info, id: COURTS.get(id)},
     "Court": {"__resolveReference": by_key(COURTS),
               "superior": lambda court, _: COURTS[court["superior"]["id"]] if court["superior"] else None},
     "Judge": {"__resolveReference": lambda rep, _: rep}},
)

PEOPLE = Subgraph(
    "people",
    link("@key") + """
type Query {
  judge(id: ID!): Judge
}
interface Official {
  id: ID!
  fullName: String!
  court: Court!
}
type Judge implements Official @key(fields: "id") {
  id: ID!
  fullName: String!
  court: Court!
  mentor: Official
}
type Clerk implements Official @key(fields: "id") {
  id: ID!
  fullName: String!
  court: Court!
}
type Court @key(fields: "id") {
  id: ID!
}
""",
    {"Query": {"judge": lambda _, info, id: JUDGES.get(id)},
     "Judge": {"__resolveReference": by_key(JUDGES)},
     "Clerk": {"__resolveReference": by_key(CLERKS)},
     "Official": {"__resolveType": lambda obj, _: "Clerk" if obj["id"].startswith("k") else "Judge"},
     "Court": {"__resolveReference": lambda rep, _: rep}},
)


def _mentor(obj: dict) -> dict | None:
    ref = obj.get("mentor")
    if ref is None:
        return None
    return (CLERKS if ref["__typename"] == "Clerk" else JUDGES)[ref["id"]]


PEOPLE.resolvers["Judge"]["mentor"] = lambda obj, _info: _mentor(obj)

CASE = Case(
    name="circular_references",
    features=("circular references", "circular references through an interface", "entity call",
              "abstract types: interface"),
    subgraphs=(REGISTRY, PEOPLE),
    operations=(
        Op("court_judges_court", '{ court(id: "c1") { name judges { fullName court { name superior { name } } } } }'),
        Op("judge_court_judges", '{ judge(id: "j3") { fullName court { name judges { id fullName } } } }'),
        Op("four_levels", """{ court(id: "c2") { judges { court { superior { judges { fullName court { name } } } } } } }"""),
        Op("through_interface", """
{ judge(id: "j2") { mentor { __typename fullName court { name judges { fullName mentor { fullName } } } } } }
"""),
        Op("interface_fragments", """
{ court(id: "c2") { judges { mentor { id ... on Clerk { court { name } } ... on Judge { mentor { id } } } } } }
"""),
        Op("self_reference_null", '{ court(id: "c3") { name superior { name } judges { mentor { fullName } } } }'),
    ),
)
