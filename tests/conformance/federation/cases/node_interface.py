"""A ``node(id:)``-style interface: one subgraph answers ``node`` with references of entities owned by several
other subgraphs; the gateway must dispatch each on its ``__typename`` and fetch the rest from the owner."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import by_key, link

# Global ids: "<Type>:<local id>", as relay-style APIs do.
KINDS = {"Court": "Court", "Judge": "Judge", "Decision": "Decision"}
COURTS = {"Court:1": {"id": "Court:1", "name": "Hanoi", "region": "north"}}
JUDGES = {"Judge:1": {"id": "Judge:1", "fullName": "Le A"}, "Judge:2": {"id": "Judge:2", "fullName": "Pham B"}}
DECISIONS = {"Decision:9": {"id": "Decision:9", "summary": "Appeal dismissed", "judge": {"id": "Judge:2"}}}


def node(_: Any, _info: Any, id: str) -> dict[str, Any] | None:
    kind = id.split(":", 1)[0]
    if kind not in KINDS or id not in {**COURTS, **JUDGES, **DECISIONS}:
        return None
    return {"__typename": KINDS[kind], "id": id}


NODES = Subgraph(
    "nodes",
    link("@key") + """
type Query {
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
}
interface Node {
  id: ID!
}
type Court implements Node @key(fields: "id") {
  id: ID!
}
type Judge implements Node @key(fields: "id") {
  id: ID!
}
type Decision implements Node @key(fields: "id") {
  id: ID!
}
""",
    {"Query": {"node": node, "nodes": lambda _, info, ids: [node(None, info, i) for i in ids]},
     "Court": {"__resolveReference": lambda rep, _: rep},
     "Judge": {"__resolveReference": lambda rep, _: rep},
     "Decision": {"__resolveReference": lambda rep, _: rep}},
)

REGISTRY = Subgraph(
    "registry",
    link("@key") + """
type Court @key(fields: "id") {
  id: ID!
  name: String!
  region: String
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
}
""",
    {"Judge": {"__resolveReference": by_key(JUDGES)}},
)

RULINGS = Subgraph(
    "rulings",
    link("@key") + """
type Decision @key(fields: "id") {
  id: ID!
  summary: String!
  judge: Judge
}
type Judge @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    {"Decision": {"__resolveReference": by_key(DECISIONS)}},
)

CASE = Case(
    name="node_interface",
    features=("node interface", "abstract types: interface", "__typename", "entity call"),
    subgraphs=(NODES, REGISTRY, PEOPLE, RULINGS),
    operations=(
        Op("node_court", '{ node(id: "Court:1") { id ... on Court { name region } } }'),
        Op("node_judge_typename", '{ node(id: "Judge:1") { __typename ... on Judge { fullName } ... on Court { name } } }'),
        Op("node_unknown", '{ node(id: "Court:404") { id ... on Court { name } } }'),
        Op("nodes_mixed", """
{ nodes(ids: ["Decision:9", "Court:1", "Judge:2", "Nope:1"]) {
    __typename id
    ... on Court { name }
    ... on Judge { fullName }
    ... on Decision { summary judge { fullName } }
} }
"""),
        Op("node_fragment_spread", """
query N($id: ID!) { node(id: $id) { ...D } }
fragment D on Decision { summary judge { id fullName } }
""", {"id": "Decision:9"}),
        Op("node_only_id_no_fetch", '{ nodes(ids: ["Court:1", "Judge:1"]) { id __typename } }'),
    ),
)
