"""Parent entity calls: a field of a child entity lives in a third subgraph, and the chain goes back to the
subgraph it started from (dockets → registry → people → dockets)."""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import by_key, link

CASE_FILES = {
    "k1": {"id": "k1", "number": "12/2024/HS-ST", "court": {"id": "c1"}, "year": 2024},
    "k2": {"id": "k2", "number": "7/2023/HS-PT", "court": {"id": "c2"}, "year": 2023},
    "k3": {"id": "k3", "number": "30/2024/HS-ST", "court": {"id": "c1"}, "year": 2024},
}
COURTS = {
    "c1": {"id": "c1", "name": "Court of Hanoi", "chief": {"id": "j1"}},
    "c2": {"id": "c2", "name": "Court of Hue", "chief": {"id": "j2"}},
}
JUDGES = {
    "j1": {"id": "j1", "fullName": "Nguyen Van A", "latestCase": {"id": "k3"}},
    "j2": {"id": "j2", "fullName": "Tran Thi B", "latestCase": {"id": "k2"}},
}

DOCKETS = Subgraph(
    "dockets",
    link("@key") + """
type Query {
  caseFile(id: ID!): CaseFile
  caseFiles: [CaseFile!]!
}
type CaseFile @key(fields: "id") {
  id: ID!
  number: String!
  year: Int!
  court: Court!
}
type Court @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    {
        "Query": {"caseFile": lambda _, info, id: CASE_FILES.get(id), "caseFiles": lambda *_: list(CASE_FILES.values())},
        "CaseFile": {"__resolveReference": by_key(CASE_FILES)},
    },
)

REGISTRY = Subgraph(
    "registry",
    link("@key") + """
type Court @key(fields: "id") {
  id: ID!
  name: String!
  chief: Judge
}
type Judge @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    {"Court": {"__resolveReference": by_key(COURTS)}},
)

PEOPLE = Subgraph(
    "people",
    link("@key") + """
type Judge @key(fields: "id") {
  id: ID!
  fullName: String!
  latestCase: CaseFile
}
type CaseFile @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    {"Judge": {"__resolveReference": by_key(JUDGES)}},
)

CASE = Case(
    name="parent_entity_call",
    features=("parent entity call", "complex parent entity call", "@key resolvable: false", "entity call"),
    subgraphs=(DOCKETS, REGISTRY, PEOPLE),
    operations=(
        Op("two_hops", '{ caseFile(id: "k1") { number court { name } } }'),
        Op("three_hops", '{ caseFile(id: "k2") { number court { name chief { fullName } } } }'),
        Op("back_to_origin", '{ caseFile(id: "k1") { court { chief { fullName latestCase { number year } } } } }'),
        Op("list_three_hops_deduplicated",
           "{ caseFiles { id court { id name chief { id fullName latestCase { id number } } } } }"),
        Op("one_entity_from_two_parents", """
{ caseFile(id: "k3") { court { chief { fullName } } } also: caseFile(id: "k1") { court { name chief { id latestCase { court { chief { fullName } } } } } } }
"""),
        Op("sub_selections_merged_across_fragments", """
{ caseFile(id: "k2") { court { chief { id } } ... on CaseFile { court { name chief { fullName id } } } number } }
"""),
        Op("only_keys_no_extra_fetch", '{ caseFile(id: "k3") { court { id chief { id } } } }'),
        Op("fragments_across_hops", """
query Q($id: ID!) { caseFile(id: $id) { ...F } }
fragment F on CaseFile { number court { ...C } }
fragment C on Court { name chief { fullName } }
""", {"id": "k3"}),
    ),
)
