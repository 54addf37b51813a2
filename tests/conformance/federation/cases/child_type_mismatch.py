"""Child type mismatch: a ``@shareable`` field returns an interface in one subgraph and one of its
implementations in another (and a nullable vs non-null type); whichever subgraph the planner picks, the
response must follow the supergraph's types."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

ACCOUNTS = {"a1": {"id": "a1", "holder": {"__typename": "Citizen", "id": "p1", "name": "Kim C", "personalId": "001"}},
            "a2": {"id": "a2", "holder": {"__typename": "Company", "id": "b1", "name": "Sao Viet JSC", "taxCode": "010"}}}


def holder_type(obj: dict[str, Any], _info: Any) -> str:
    return obj["__typename"]


BANKING = Subgraph(
    "banking",
    link("@key", "@shareable") + """
type Query {
  account(id: ID!): Account
  accounts: [Account!]!
}
type Account @key(fields: "id") {
  id: ID!
  holder: Holder @shareable
  label: String @shareable
}
interface Holder {
  id: ID!
  name: String!
}
type Citizen implements Holder @shareable {
  id: ID!
  name: String!
  personalId: String
}
type Company implements Holder @shareable {
  id: ID!
  name: String!
  taxCode: String
}
""",
    {"Query": {"account": lambda _, info, id: ACCOUNTS.get(id), "accounts": lambda *_: list(ACCOUNTS.values())},
     "Holder": {"__resolveType": holder_type},
     "Account": {"__resolveReference": lambda rep, _: ACCOUNTS.get(rep["id"]),
                 "label": lambda acc, _: f"account {acc['id']}"}},
)

# This subgraph only knows citizens' accounts: its holder is the object type, and it gives a non-null label.
CITIZENS = Subgraph(
    "citizens",
    link("@key", "@shareable") + """
type Query {
  citizenAccounts: [Account!]!
}
type Account @key(fields: "id") {
  id: ID!
  holder: Citizen @shareable
  label: String! @shareable
  frozen: Boolean!
}
type Citizen @shareable {
  id: ID!
  name: String!
  personalId: String
}
""",
    {"Query": {"citizenAccounts": lambda *_: [{"id": "a1", "holder": ACCOUNTS["a1"]["holder"], "frozen": False}]},
     "Account": {"__resolveReference": lambda rep, _: {
         "id": rep["id"], "frozen": rep["id"] == "a2",
         "holder": ACCOUNTS[rep["id"]]["holder"] if rep["id"] == "a1" else None},
                 "label": lambda acc, _: f"account {acc['id']}"}},
)

CASE = Case(
    name="child_type_mismatch",
    features=("child type mismatch", "@shareable", "abstract types: interface", "entity call"),
    subgraphs=(BANKING, CITIZENS),
    operations=(
        Op("interface_side", '{ account(id: "a2") { holder { __typename name ... on Company { taxCode } } } }',
           expected={"data": {"account": {"holder": {"__typename": "Company", "name": "Sao Viet JSC",
                                                     "taxCode": "010"}}}},
           note="Apollo Gateway 2.14 drops the `... on Company` fragment from its fetch to banking (it sends "
                "`holder{__typename name}`) and answers taxCode: null; banking resolves Company.taxCode, so the "
                "spec's answer is \"010\"."),
        Op("object_side", "{ citizenAccounts { id holder { __typename name ... on Citizen { personalId } } label } }"),
        Op("object_side_fragment_on_other_member", """
{ citizenAccounts { holder { ... on Company { taxCode } ... on Citizen { name } } } }
"""),
        Op("mixed_fields_both_subgraphs", "{ accounts { id frozen holder { name ... on Citizen { personalId } } } }"),
        Op("label_nullability_differs", "{ accounts { label frozen } citizenAccounts { label } }"),
    ),
)
