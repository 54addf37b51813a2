"""Keys mash-up: an entity with several keys (``id``, ``code``, compound ``province serial``), subgraphs that
know it by different keys, ``resolvable: false`` references, so that the planner must convert keys through the
subgraph that knows both."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

FACILITIES = [
    {"id": "f1", "code": "HN-01", "province": "HN", "serial": 1, "name": "Facility Thanh Xuan"},
    {"id": "f2", "code": "HUE-07", "province": "HUE", "serial": 7, "name": "Facility Binh Dien"},
]


def find(**key: Any) -> dict[str, Any] | None:
    return next((f for f in FACILITIES if all(f.get(k) == v for k, v in key.items())), None)


def core_reference(rep: dict[str, Any], _info: Any) -> dict[str, Any] | None:
    if "id" in rep:
        return find(id=rep["id"])
    if "code" in rep:
        return find(code=rep["code"])
    return find(province=rep["province"], serial=rep["serial"])


CAPACITY = {"f1": 1200, "f2": 800}
INSPECTIONS = {"HN": {1: ["2024-03"]}, "HUE": {7: ["2023-11", "2024-06"]}}

CORE = Subgraph(
    "core",
    link("@key") + """
type Query {
  facilities: [Facility!]!
}
type Facility @key(fields: "id") @key(fields: "code") @key(fields: "province serial") {
  id: ID!
  code: String!
  province: String!
  serial: Int!
  name: String!
}
""",
    {"Query": {"facilities": lambda *_: FACILITIES}, "Facility": {"__resolveReference": core_reference}},
)

# Knows facilities only by code, and cannot resolve them (transfers only point at facilities).
TRANSFERS = Subgraph(
    "transfers",
    link("@key") + """
type Query {
  transfers: [Transfer!]!
}
type Transfer {
  inmate: String!
  to: Facility!
}
type Facility @key(fields: "code", resolvable: false) {
  code: String!
}
""",
    {"Query": {"transfers": lambda *_: [{"inmate": "X", "to": {"code": "HUE-07"}},
                                         {"inmate": "Y", "to": {"code": "HN-01"}}]}},
)

# Resolves facilities only by id.
STAFFING = Subgraph(
    "staffing",
    link("@key") + """
type Facility @key(fields: "id") {
  id: ID!
  capacity: Int!
}
""",
    {"Facility": {"__resolveReference": lambda rep, _: {"id": rep["id"], "capacity": CAPACITY[rep["id"]]}}},
)

# Resolves facilities only by the compound key.
INSPECTION = Subgraph(
    "inspection",
    link("@key") + """
type Facility @key(fields: "province serial") {
  province: String!
  serial: Int!
  inspections: [String!]!
}
""",
    {"Facility": {"__resolveReference": lambda rep, _: {
        **rep, "inspections": INSPECTIONS.get(rep["province"], {}).get(rep["serial"], [])}}},
)

CASE = Case(
    name="keys_mashup",
    features=("multiple @key", "@key resolvable: false", "compound @key", "key conversion", "entity call"),
    subgraphs=(CORE, TRANSFERS, STAFFING, INSPECTION),
    operations=(
        Op("root_owner_to_id_subgraph", "{ facilities { name capacity } }"),
        Op("root_owner_to_compound_subgraph", "{ facilities { code inspections } }"),
        Op("code_only_to_name", "{ transfers { inmate to { code name } } }"),
        Op("code_to_id_via_core", "{ transfers { inmate to { capacity } } }"),
        Op("code_to_compound_and_id", "{ transfers { to { inspections capacity id } } }"),
        Op("all_keys_selected", "{ transfers { to { id code province serial } } }"),
    ),
)
