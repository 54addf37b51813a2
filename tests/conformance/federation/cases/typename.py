"""``__typename`` everywhere: at the root (query and mutation), aliased, several times, on objects, interfaces
and unions, on entities fetched through ``_entities``, inside fragments, and as the only field of a hop."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import by_key, link

PARTIES = [
    {"__typename": "Defendant", "id": "d1", "name": "Lam D"},
    {"__typename": "Witness", "id": "w1", "name": "Trinh W", "reliable": True},
]
DEFENDANTS = {"d1": {"id": "d1", "charges": ["fraud"]}}


def party_type(obj: dict[str, Any], _info: Any) -> str:
    return obj["__typename"]


TRIAL = Subgraph(
    "trial",
    link("@key") + """
type Query {
  parties: [Party!]!
  participants: [Participant!]!
  defendant(id: ID!): Defendant
}
type Mutation {
  touch: Boolean!
}
interface Party {
  id: ID!
  name: String!
}
type Defendant implements Party @key(fields: "id") {
  id: ID!
  name: String!
}
type Witness implements Party {
  id: ID!
  name: String!
  reliable: Boolean!
}
union Participant = Defendant | Witness
""",
    {"Query": {"parties": lambda *_: PARTIES, "participants": lambda *_: PARTIES,
               "defendant": lambda _, info, id: next((p for p in PARTIES if p["id"] == id), None)},
     "Mutation": {"touch": lambda *_: True},
     "Party": {"__resolveType": party_type},
     "Participant": {"__resolveType": party_type},
     "Defendant": {"__resolveReference": lambda rep, _: next((p for p in PARTIES if p["id"] == rep["id"]), None)}},
)

CHARGES = Subgraph(
    "charges",
    link("@key") + """
type Defendant @key(fields: "id") {
  id: ID!
  charges: [String!]!
}
""",
    {"Defendant": {"__resolveReference": by_key(DEFENDANTS)}},
)

CASE = Case(
    name="typename",
    features=("__typename", "__typename aliased", "__typename on unions and interfaces",
              "__typename on entities via _entities", "abstract types: interface", "abstract types: union"),
    subgraphs=(TRIAL, CHARGES),
    operations=(
        Op("root_typename", "{ __typename t: __typename }"),
        Op("mutation_root_typename", "mutation { __typename touch }"),
        Op("interface_typename_aliased", "{ parties { kind: __typename __typename id } }"),
        Op("union_typename_only", "{ participants { __typename } }"),
        Op("union_fragments_typename", """
{ participants { ... on Defendant { t: __typename charges } ... on Witness { __typename reliable } } }
"""),
        Op("entity_typename_with_hop", '{ defendant(id: "d1") { charges __typename k: __typename } }'),
        Op("typename_in_named_fragment_on_interface", """
{ parties { ...P } }
fragment P on Party { __typename ... on Defendant { charges } }
"""),
    ),
)
