"""@tag and @composeDirective: tagged types, fields and arguments, and a custom directive (``@audited``,
imported from its own spec and composed into the supergraph). Neither changes what a query returns; neither is
part of the API schema's directives (introspection shows the executable directives only).
"""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import link

COURTS = {"t1": {"id": "t1", "name": "Nghe An court", "province": "Nghe An"},
          "t2": {"id": "t2", "name": "Gia Lai court", "province": "Gia Lai"}}
CAPACITY = {"t1": 40, "t2": 25}

REGISTRY = Subgraph(
    "registry",
    """extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@tag", "@composeDirective"])
  @link(url: "https://specs.lienthong.test/audit/v1.0", import: ["@audited"])
  @composeDirective(name: "@audited")

directive @audited(level: Int!) on FIELD_DEFINITION | OBJECT

type Query {
  courts(province: String @tag(name: "filter")): [Court!]! @tag(name: "public")
}
type Court @key(fields: "id") @tag(name: "entity") @audited(level: 1) {
  id: ID!
  name: String! @tag(name: "public")
  province: String! @audited(level: 2)
}
""",
    {"Query": {"courts": lambda _, info, province=None: [c for c in COURTS.values()
                                                          if province is None or c["province"] == province]},
     "Court": {"__resolveReference": lambda ref, info: COURTS.get(ref["id"])}},
)

FACILITIES = Subgraph(
    "facilities",
    link("@key", "@tag") + """
type Court @key(fields: "id") {
  id: ID!
  capacity: Int @tag(name: "internal")
}
""",
    {"Court": {"__resolveReference": lambda ref, info: {"id": ref["id"], "capacity": CAPACITY.get(ref["id"])}}},
)

CASE = Case(
    name="tag_compose_directive",
    features=("@tag", "@composeDirective"),
    subgraphs=(REGISTRY, FACILITIES),
    operations=(
        Op("tagged_fields_and_arguments", '{ courts(province: "Gia Lai") { name province } }'),
        Op("tagged_field_across_subgraphs", "{ courts { id capacity } }"),
        Op("api_schema_directives", "{ __schema { directives { name args { name } } } }"),
        Op("type_introspection", '{ __type(name: "Court") { name kind fields { name } } }'),
    ),
)
