"""@requires whose required field the parent fetch already has through @provides: ``deals`` (offers) provides
``price``, so the taxes subgraph can be given the price straight from offers' answer, with no fetch to the
owner (catalog) in between; from ``catalogItems`` the price comes from its owner in the same root fetch. Deep
lists: every item of every bundle is one representation of one batched fetch.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import by_key, link

ITEMS = {"i1": {"id": "i1", "name": "Handcuffs", "price": 300},
         "i2": {"id": "i2", "name": "Radio", "price": 1200},
         "i3": {"id": "i3", "name": "Bodycam", "price": 2500}}
BUNDLES = [{"id": "b1", "items": ["i1", "i2"]}, {"id": "b2", "items": ["i3"]}, {"id": "b3", "items": []}]

CATALOG = Subgraph(
    "catalog",
    link("@key", "@shareable") + """
type Query {
  catalogItems: [Item!]!
}
type Item @key(fields: "id") {
  id: ID!
  name: String!
  price: Int! @shareable
}
""",
    {"Query": {"catalogItems": lambda *_: list(ITEMS.values())}, "Item": {"__resolveReference": by_key(ITEMS)}},
)

OFFERS = Subgraph(
    "offers",
    link("@key", "@external", "@provides") + """
type Query {
  deals: [Item!]! @provides(fields: "price")
  bundles: [Bundle!]!
}
type Bundle @key(fields: "id") {
  id: ID!
  items: [Item!]! @provides(fields: "price")
}
type Item @key(fields: "id") {
  id: ID!
  price: Int! @external
}
""",
    {"Query": {"deals": lambda *_: [{"id": i, "price": ITEMS[i]["price"]} for i in ("i3", "i1")],
               "bundles": lambda *_: BUNDLES},
     "Bundle": {"items": lambda b, info: [{"id": i, "price": ITEMS[i]["price"]} for i in b["items"]]}},
)


def _tax(item: dict[str, Any], info: Any) -> int:
    return item["price"] // 10


TAXES = Subgraph(
    "taxes",
    link("@key", "@external", "@requires") + """
type Item @key(fields: "id") {
  id: ID!
  price: Int! @external
  tax: Int! @requires(fields: "price")
}
""",
    {"Item": {"__resolveReference": lambda ref, info: ref, "tax": _tax}},
)

CASE = Case(
    name="requires_provided",
    features=("@requires", "@provides", "@requires satisfied by @provides", "nested lists of entities"),
    subgraphs=(CATALOG, OFFERS, TAXES),
    operations=(
        Op("required_field_provided_by_the_parent", "{ deals { id tax } }"),
        Op("provided_required_and_owned", "{ deals { name price tax } }"),
        Op("required_field_from_the_owner_root", "{ catalogItems { tax } }"),
        Op("lists_of_lists", "{ bundles { id items { id tax } } }"),
        Op("lists_of_lists_with_owner_fields", "{ bundles { items { name tax } } }"),
    ),
)
