"""@requires through an interface-typed field: a vehicle tax requires its holder's fields selected per concrete
type (``holder { __typename ... on Citizen { birthYear } ... on Agency { budgetCode } }``), the holder being a
``Holder`` interface implemented by value types shared by both subgraphs.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

VEHICLES = {
    "29A-001": {"plate": "29A-001", "kind": "car",
                "holder": {"__typename": "Citizen", "id": "c1", "name": "Duc", "birthYear": 1990}},
    "75B-002": {"plate": "75B-002", "kind": "truck",
                "holder": {"__typename": "Agency", "id": "g1", "name": "Hue Procuracy", "budgetCode": "BG-7"}},
    "43C-003": {"plate": "43C-003", "kind": "car",
                "holder": {"__typename": "Citizen", "id": "c2", "name": "Yen", "birthYear": 1955}},
}

REGISTRY = Subgraph(
    "vehicles",
    link("@key", "@shareable") + """
type Query {
  vehicles: [Vehicle!]!
  vehicle(plate: ID!): Vehicle
}
type Vehicle @key(fields: "plate") {
  plate: ID!
  kind: String!
  holder: Holder!
}
interface Holder {
  id: ID!
  name: String!
}
type Citizen implements Holder @shareable {
  id: ID!
  name: String!
  birthYear: Int!
}
type Agency implements Holder @shareable {
  id: ID!
  name: String!
  budgetCode: String!
}
""",
    {
        "Query": {"vehicles": lambda *_: list(VEHICLES.values()), "vehicle": lambda _, info, plate: VEHICLES.get(plate)},
        "Vehicle": {"__resolveReference": lambda ref, info: VEHICLES.get(ref["plate"])},
        "Holder": {"__resolveType": lambda obj, info: obj["__typename"]},
    },
)


def _tax(vehicle: dict[str, Any], info: Any) -> int:
    holder = vehicle["holder"]
    base = 500 if vehicle["kind"] == "car" else 2000
    if holder["__typename"] == "Agency":
        return 0 if holder["budgetCode"].startswith("BG") else base
    return base // 2 if holder["birthYear"] < 1960 else base


TAX = Subgraph(
    "tax",
    link("@key", "@shareable", "@external", "@requires") + """
type Vehicle @key(fields: "plate") {
  plate: ID!
  kind: String! @external
  holder: Holder! @external
  tax: Int! @requires(fields: "kind holder { __typename ... on Citizen { birthYear } ... on Agency { budgetCode } }")
}
interface Holder {
  id: ID!
}
type Citizen implements Holder @shareable {
  id: ID!
  birthYear: Int!
}
type Agency implements Holder @shareable {
  id: ID!
  budgetCode: String!
}
""",
    {"Vehicle": {"__resolveReference": lambda ref, info: ref, "tax": _tax},
     "Holder": {"__resolveType": lambda obj, info: obj["__typename"]}},
)

CASE = Case(
    name="requires_interface",
    features=("@requires", "@requires on interfaces", "@requires with fragments"),
    subgraphs=(REGISTRY, TAX),
    operations=(
        Op("tax_only", "{ vehicles { tax } }"),
        Op("tax_with_holder_name", "{ vehicles { plate tax holder { name } } }"),
        Op("tax_with_client_fragments",
           "{ vehicles { holder { __typename ... on Citizen { birthYear } ... on Agency { id } } tax } }"),
        Op("one_vehicle_aliased", '{ v: vehicle(plate: "75B-002") { t: tax k: kind } }'),
    ),
)
