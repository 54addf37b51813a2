"""Unions distributed across subgraphs and union intersection: the same union with different members in two
subgraphs (the supergraph has all of them), members that are entities with fields in another subgraph, and
fragments on members a given subgraph's field can never return."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

# Filings handled by the first-instance court: complaints and motions; by the appeal court: motions and appeals.
FIRST = [{"__typename": "Complaint", "id": "f1", "plaintiff": "Do P"}, {"__typename": "Motion", "id": "f2", "topic": "bail"}]
APPEAL = [{"__typename": "Motion", "id": "f3", "topic": "stay"}, {"__typename": "Appeal", "id": "f4", "ground": "new evidence"}]
FEES = {"f1": 300, "f2": 50, "f3": 50, "f4": 900}


def filing_type(obj: dict[str, Any], _info: Any) -> str:
    return obj["__typename"]


FIRST_INSTANCE = Subgraph(
    "first_instance",
    link("@key", "@shareable") + """
type Query {
  firstInstanceFilings: [Filing!]!
}
union Filing = Complaint | Motion
type Complaint @key(fields: "id") {
  id: ID!
  plaintiff: String!
}
type Motion @key(fields: "id") {
  id: ID!
  topic: String! @shareable
}
""",
    {"Query": {"firstInstanceFilings": lambda *_: FIRST},
     "Filing": {"__resolveType": filing_type},
     "Complaint": {"__resolveReference": lambda rep, _: next((f for f in FIRST if f["id"] == rep["id"]), None)},
     "Motion": {"__resolveReference": lambda rep, _: next((f for f in FIRST + APPEAL if f["id"] == rep["id"]), None)}},
)

APPEAL_COURT = Subgraph(
    "appeal_court",
    link("@key", "@shareable") + """
type Query {
  appealFilings: [Filing!]!
}
union Filing = Motion | Appeal
type Motion @key(fields: "id") {
  id: ID!
  topic: String! @shareable
}
type Appeal @key(fields: "id") {
  id: ID!
  ground: String!
}
""",
    {"Query": {"appealFilings": lambda *_: APPEAL},
     "Filing": {"__resolveType": filing_type},
     "Motion": {"__resolveReference": lambda rep, _: next((f for f in FIRST + APPEAL if f["id"] == rep["id"]), None)},
     "Appeal": {"__resolveReference": lambda rep, _: next((f for f in APPEAL if f["id"] == rep["id"]), None)}},
)

FEES_SUBGRAPH = Subgraph(
    "fees",
    link("@key") + """
type Complaint @key(fields: "id") {
  id: ID!
  fee: Int!
}
type Motion @key(fields: "id") {
  id: ID!
  fee: Int!
}
type Appeal @key(fields: "id") {
  id: ID!
  fee: Int!
}
""",
    {name: {"__resolveReference": lambda rep, _: {"id": rep["id"], "fee": FEES[rep["id"]]}}
     for name in ("Complaint", "Motion", "Appeal")},
)

CASE = Case(
    name="union_distributed",
    features=("abstract types: union", "union intersection", "unions distributed across subgraphs",
              "__typename on unions and interfaces", "entity call"),
    subgraphs=(FIRST_INSTANCE, APPEAL_COURT, FEES_SUBGRAPH),
    operations=(
        Op("members_of_one_subgraph", """
{ firstInstanceFilings { __typename ... on Complaint { plaintiff } ... on Motion { topic } } }
"""),
        Op("fragment_on_member_other_subgraph_only", """
{ firstInstanceFilings { ... on Appeal { ground } ... on Motion { id } } }
"""),
        Op("union_members_hop_for_fee", """
{ appealFilings { ... on Motion { topic fee } ... on Appeal { fee ground } } }
"""),
        Op("both_roots_all_members", """
{
  a: firstInstanceFilings { ...All }
  b: appealFilings { ...All }
}
fragment All on Filing { __typename ... on Complaint { id fee } ... on Motion { id fee } ... on Appeal { id fee } }
"""),
        Op("typename_only_no_hop", "{ appealFilings { __typename } firstInstanceFilings { __typename } }"),
    ),
)
