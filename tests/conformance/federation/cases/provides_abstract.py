"""@provides on fields returning a union (``... on Lawyer { name } ... on Firm { title }``) and an interface
(``Member``: ``... on Lawyer { name } ... on Notary { name }``): the providing subgraph answers the provided fields of each member itself, and the
router hops to the owner for the rest. The same union without @provides (``plainCounsels``) must hop.
"""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import by_key, link

LAWYERS = {"l1": {"__typename": "Lawyer", "id": "l1", "name": "Lawyer Khanh", "bar": "Hanoi Bar"}}
NOTARIES = {"n1": {"__typename": "Notary", "id": "n1", "name": "Notary Vy", "office": "Office 3"}}
FIRMS = {"f1": {"__typename": "Firm", "id": "f1", "title": "Truong & Partners", "city": "Hanoi"}}

REGISTRY = Subgraph(
    "registry",
    link("@key", "@shareable") + """
type Query {
  lawyer(id: ID!): Lawyer
}
interface Member {
  id: ID!
  name: String!
}
type Lawyer implements Member @key(fields: "id") {
  id: ID!
  name: String! @shareable
  bar: String!
}
type Notary implements Member @key(fields: "id") {
  id: ID!
  name: String! @shareable
  office: String!
}
type Firm @key(fields: "id") {
  id: ID!
  title: String! @shareable
  city: String!
}
""",
    {"Query": {"lawyer": lambda _, info, id: LAWYERS.get(id)},
     "Lawyer": {"__resolveReference": by_key(LAWYERS)}, "Notary": {"__resolveReference": by_key(NOTARIES)},
     "Firm": {"__resolveReference": by_key(FIRMS)}, "Member": {"__resolveType": lambda obj, info: obj["__typename"]}},
)


def _keys_only(*rows: dict[str, str]) -> list[dict[str, str]]:
    return [{"__typename": r["__typename"], "id": r["id"]} for r in rows]


COURT = Subgraph(
    "court",
    link("@key", "@external", "@provides") + """
type Query {
  counsels: [Counsel!]! @provides(fields: "... on Lawyer { name } ... on Firm { title }")
  plainCounsels: [Counsel!]!
  members: [Member!]! @provides(fields: "... on Lawyer { name } ... on Notary { name }")
}
union Counsel = Lawyer | Firm
interface Member {
  id: ID!
  name: String!
}
type Lawyer implements Member @key(fields: "id") {
  id: ID!
  name: String! @external
}
type Notary implements Member @key(fields: "id") {
  id: ID!
  name: String! @external
}
type Firm @key(fields: "id") {
  id: ID!
  title: String! @external
}
""",
    {
        "Query": {
            "counsels": lambda *_: [{k: v for k, v in r.items() if k in ("__typename", "id", "name", "title")}
                                    for r in (*LAWYERS.values(), *FIRMS.values())],
            "plainCounsels": lambda *_: _keys_only(*LAWYERS.values(), *FIRMS.values()),
            "members": lambda *_: [{k: v for k, v in r.items() if k in ("__typename", "id", "name")}
                                   for r in (*LAWYERS.values(), *NOTARIES.values())],
        },
        "Counsel": {"__resolveType": lambda obj, info: obj["__typename"]},
        "Member": {"__resolveType": lambda obj, info: obj["__typename"]},
    },
)

CASE = Case(
    name="provides_abstract",
    features=("@provides", "@provides on unions", "@provides on interfaces"),
    subgraphs=(REGISTRY, COURT),
    operations=(
        Op("union_provided_no_hop", "{ counsels { __typename ... on Lawyer { name } ... on Firm { title } } }"),
        Op("union_provided_and_owned",
           "{ counsels { ... on Lawyer { name bar } ... on Firm { title city } } }"),
        Op("union_without_provides_hops", "{ plainCounsels { ... on Lawyer { name } ... on Firm { title } } }"),
        Op("interface_provided_no_hop", "{ members { __typename id name } }"),
        Op("interface_provided_and_owned",
           "{ members { name ... on Lawyer { bar } ... on Notary { office } } }"),
    ),
)
