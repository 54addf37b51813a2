"""Simple entity call: a root field of one subgraph returns an entity whose other fields live in a second one."""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import link

FED2 = link("@key", "@shareable")

COURTS = {"c1": {"id": "c1", "name": "Tòa án nhân dân thành phố Hà Nội"}, "c2": {"id": "c2", "name": "People's Court of Hue"}}
ADDRESSES = {"c1": "1 Hai Bà Trưng, Hoàn Kiếm, Hà Nội", "c2": "8 Le Loi, \"Hue\" \\ \u2028 tab\t"}

REGISTRY = Subgraph(
    "registry",
    FED2 + """
type Query {
  court(id: ID!): Court
  courts: [Court!]!
}
type Court @key(fields: "id") {
  id: ID!
  name: String!
}
""",
    {
        "Query": {"court": lambda _, info, id: COURTS.get(id), "courts": lambda *_: list(COURTS.values())},
        "Court": {"__resolveReference": lambda ref, info: COURTS.get(ref["id"])},
    },
)

LOCATIONS = Subgraph(
    "locations",
    FED2 + """
type Court @key(fields: "id") {
  id: ID!
  address: String
  judgesCount: Int!
}
""",
    {"Court": {"__resolveReference": lambda ref, info: {"id": ref["id"], "address": ADDRESSES.get(ref["id"]),
                                                          "judgesCount": len(ref["id"]) * 7}}},
)

CASE = Case(
    name="simple_entity_call",
    features=("entity call", "@key"),
    subgraphs=(REGISTRY, LOCATIONS),
    operations=(
        Op("one_hop", '{ court(id: "c1") { name address } }'),
        Op("key_only_no_hop", '{ court(id: "c2") { id name } }'),
        Op("list_hop_batched", "{ courts { id address judgesCount name } }"),
        Op("unknown_root_null", '{ court(id: "nope") { id address } }'),
        Op("response_order_follows_field_collection", """
{ court(id: "c1") { ...A name ...B } }
fragment A on Court { address }
fragment B on Court { judgesCount name address id }
""", note="keys in field-collection order: address, name, judgesCount, id (not in fetch order)"),
        Op("aliases_on_both_sides", '{ a: court(id: "c1") { n: name where: address } b: court(id: "c2") { where: address } }'),
    ),
)
