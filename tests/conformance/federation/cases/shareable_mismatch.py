"""@shareable fields whose subgraphs disagree: on nullability (``name: String!`` in registry, ``String`` in
directory: the supergraph type is the nullable one) and on the data itself (directory knows no phone for c2,
errors on c2's address, has no name for c3). Which subgraph answers a shareable field is the planner's choice,
and the answer shows it: the reference (Apollo) resolves it where the parent already is, without a hop.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

FULL = {
    "c1": {"id": "c1", "name": "Quang Ninh court", "phone": "0203-111", "judges": 12,
           "address": {"street": "1 Tran Hung Dao", "city": "Ha Long"}},
    "c2": {"id": "c2", "name": "Lao Cai court", "phone": "0214-222", "judges": 5,
           "address": {"street": "9 Hoang Lien", "city": "Lao Cai"}},
    "c3": {"id": "c3", "name": "Ca Mau court", "phone": "0290-333", "judges": 7,
           "address": {"street": "3 Ly Thuong Kiet", "city": "Ca Mau"}},
}
PARTIAL = {
    "c1": {"id": "c1", "name": "Quang Ninh court", "phone": "0203-111",
           "address": {"street": "1 Tran Hung Dao", "city": None}},
    "c2": {"id": "c2", "name": "Lao Cai court", "phone": None, "address": "error"},
    "c3": {"id": "c3", "name": None, "phone": "0290-333", "address": {"street": None, "city": "Ca Mau"}},
}


def _directory_address(court: dict[str, Any], info: Any) -> Any:
    if court.get("address") == "error":
        raise ValueError("directory: address unknown")
    return court.get("address")


REGISTRY = Subgraph(
    "registry",
    link("@key", "@shareable") + """
type Query {
  courtA(id: ID!): Court
}
type Court @key(fields: "id") {
  id: ID!
  name: String! @shareable
  phone: String @shareable
  address: Address @shareable
  judges: Int!
}
type Address @shareable {
  street: String!
  city: String
}
""",
    {"Query": {"courtA": lambda _, info, id: FULL.get(id)},
     "Court": {"__resolveReference": lambda ref, info: FULL.get(ref["id"])}},
)

DIRECTORY = Subgraph(
    "directory",
    link("@key", "@shareable") + """
type Query {
  courtB(id: ID!): Court
  courts: [Court!]!
}
type Court @key(fields: "id") {
  id: ID!
  name: String @shareable
  phone: String @shareable
  address: Address @shareable
}
type Address @shareable {
  street: String
  city: String
}
""",
    {"Query": {"courtB": lambda _, info, id: PARTIAL.get(id), "courts": lambda *_: list(PARTIAL.values())},
     "Court": {"__resolveReference": lambda ref, info: PARTIAL.get(ref["id"]), "address": _directory_address}},
)

CASE = Case(
    name="shareable_mismatch",
    features=("@shareable", "@shareable nullability mismatch", "@shareable partial data"),
    subgraphs=(REGISTRY, DIRECTORY),
    operations=(
        Op("from_the_non_null_side", '{ courtA(id: "c2") { name phone address { street city } } }'),
        Op("from_the_nullable_side", '{ courtB(id: "c2") { name phone } }'),
        Op("null_name_in_a_list", "{ courts { id name } }"),
        Op("error_on_one_shareable_field", '{ courtB(id: "c2") { id address { city } } }'),
        Op("shareable_and_owned_fields", "{ courts { name phone judges } }"),
        Op("nested_value_type_nulls", '{ courtB(id: "c3") { address { street city } } courtA(id: "c3") { '
                                      'address { street city } } }'),
    ),
)
