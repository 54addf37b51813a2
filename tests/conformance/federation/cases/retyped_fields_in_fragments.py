"""Fields of one response key with different types in one subgraph: the registry subgraph declares
``Court.code: String!`` (the supergraph has ``String``: another subgraph's is nullable) beside
``Procuracy.code: String`` in the union ``Agency``. Selecting ``code`` under both type conditions in one subgraph
operation would break FieldsInSetCanMerge (the subgraph refuses it), so the router must select one of them under
another response key and answer the client's key.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

AGENCIES = [
    {"__typename": "Court", "id": "tand-hn", "code": "TAND-HN", "name": "Toa an nhan dan Ha Noi"},
    {"__typename": "Procuracy", "id": "vks-hn", "code": None, "name": "Vien kiem sat Ha Noi"},
    {"__typename": "Court", "id": "tand-hue", "code": "TAND-HUE", "name": "Toa an nhan dan Hue"},
]
COURTS = {a["id"]: a for a in AGENCIES if a["__typename"] == "Court"}


def _agencies(*_: Any) -> list[dict[str, Any]]:
    return AGENCIES


REGISTRY = Subgraph(
    "registry",
    link("@key", "@shareable") + """
union Agency = Court | Procuracy
type Court @key(fields: "id") {
  id: ID!
  code: String! @shareable
  name: String
  related: [Agency!]!
}
type Procuracy {
  id: ID!
  code: String
  name: String
  related: [Agency!]!
}
type Query {
  agencies: [Agency!]!
}
""",
    {"Query": {"agencies": _agencies},
     "Court": {"__resolveReference": lambda rep, _: COURTS.get(rep["id"]), "related": _agencies},
     "Procuracy": {"related": _agencies}},
)

ROSTER = Subgraph(
    "roster",
    link("@key", "@shareable") + """
type Court @key(fields: "id") {
  id: ID!
  code: String @shareable
  judges: Int
}
type Query {
  courts: [Court!]!
}
""",
    {"Query": {"courts": lambda *_: [{"id": c["id"], "code": c["code"], "judges": 12} for c in COURTS.values()]},
     "Court": {"__resolveReference": lambda rep, _: {"id": rep["id"], "code": COURTS[rep["id"]]["code"],
                                                     "judges": 12} if rep["id"] in COURTS else None}},
)

BOTH = "... on Court { id code name } ... on Procuracy { id code name }"

CASE = Case(
    name="retyped_fields_in_fragments",
    features=("child type mismatch", "FieldsInSetCanMerge in subgraph operations", "abstract types: union"),
    subgraphs=(REGISTRY, ROSTER),
    operations=(
        Op("same_key_both_members", "{ agencies { " + BOTH + " } }"),
        Op("nested_both_members", "{ agencies { ... on Court { code related { " + BOTH + " } } } }"),
        Op("aliased_both_members",
           "{ agencies { ... on Court { c: code } ... on Procuracy { c: code } } }"),
        Op("with_a_hop", "{ courts { code judges } agencies { ... on Court { code judges } "
                         "... on Procuracy { code } } }"),
    ),
)
