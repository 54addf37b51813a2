"""Federation 1 subgraphs (no ``@link``): ``extend type Query``, ``extend type X @key`` with ``@external`` keys,
a value type defined in both subgraphs (implicitly shareable); Apollo composition upgrades them and the
supergraph must be served like any other."""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import by_key

PRISONS = {"p1": {"id": "p1", "name": "Camp 5", "address": {"province": "Thanh Hoa", "street": "QL1"}},
           "p2": {"id": "p2", "name": "Camp 6", "address": {"province": "Nghe An", "street": "QL7"}}}
INMATES = {"p1": 412, "p2": 388}

FACILITIES = Subgraph(
    "facilities",
    """
extend type Query {
  prisons: [Prison!]!
  prison(id: ID!): Prison
}
type Prison @key(fields: "id") {
  id: ID!
  name: String!
  address: Address
}
type Address {
  province: String!
  street: String
}
""",
    {"Query": {"prisons": lambda *_: list(PRISONS.values()), "prison": lambda _, info, id: PRISONS.get(id)},
     "Prison": {"__resolveReference": by_key(PRISONS)}},
)



def population_prison(prison_id: str) -> dict[str, object]:
    return {"id": prison_id, "inmates": INMATES[prison_id], "mailing": {"province": "PO box", "street": prison_id}}


POPULATION = Subgraph(
    "population",
    """
extend type Query {
  largest: Prison
}
extend type Prison @key(fields: "id") {
  id: ID! @external
  inmates: Int!
  mailing: Address
}
type Address {
  province: String!
  street: String
}
""",
    {"Query": {"largest": lambda *_: population_prison(max(INMATES, key=INMATES.__getitem__))},
     "Prison": {"__resolveReference": lambda rep, _: population_prison(rep["id"])}},
)

CASE = Case(
    name="fed1_subgraphs",
    features=("Fed 1 subgraphs", "extend type", "@external", "entity call", "value types shared"),
    subgraphs=(FACILITIES, POPULATION),
    operations=(
        Op("owner_to_extension", "{ prisons { name inmates } }"),
        Op("extension_root_to_owner", "{ largest { id name inmates address { province } } }"),
        Op("value_type_from_both", '{ prison(id: "p2") { address { province street } mailing { province street } } }'),
        Op("variables_and_alias", "query P($id: ID!) { p: prison(id: $id) { n: name i: inmates } }", {"id": "p1"}),
    ),
)
