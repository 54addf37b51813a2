"""Federation 1 subgraphs (no ``@link``): ``postings`` extends ``Officer`` (``extend type ... @key``, the key
``@external``), adds fields, @requires the owner's ``name``, and also returns officers from its own root
(the extended type resolvable from the extending subgraph), so the router hops back to the owner for them.
Composition upgrades the subgraphs to Federation 2 rules before composing.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph

OFFICERS = {"o1": {"id": "o1", "name": "Lieutenant Bao"}, "o2": {"id": "o2", "name": "Captain Vinh"}}
POSTINGS = {"o1": {"station": "Ba Dinh", "since": 2019}, "o2": {"station": "Hoan Kiem", "since": 2022}}

ACCOUNTS = Subgraph(
    "accounts",
    """
type Officer @key(fields: "id") {
  id: ID!
  name: String!
}
extend type Query {
  officers: [Officer!]!
}
""",
    {"Query": {"officers": lambda *_: list(OFFICERS.values())},
     "Officer": {"__resolveReference": lambda ref, info: OFFICERS.get(ref["id"])}},
)


def _officer(ref: dict[str, Any], info: Any) -> dict[str, Any] | None:
    return {**ref, "posting": POSTINGS[ref["id"]]} if ref["id"] in POSTINGS else None


def _badge(officer: dict[str, Any], info: Any) -> str:
    return f"{officer['name'].split()[-1].upper()}-{officer['id']}"


POSTINGS_SG = Subgraph(
    "postings",
    """
extend type Officer @key(fields: "id") {
  id: ID! @external
  name: String! @external
  posting: Posting
  badge: String! @requires(fields: "name")
}
type Posting {
  station: String!
  since: Int!
}
extend type Query {
  officerOnDuty: Officer
}
""",
    {"Query": {"officerOnDuty": lambda *_: {"id": "o2", "posting": POSTINGS["o2"]}},
     "Officer": {"__resolveReference": _officer, "badge": _badge}},
)

CASE = Case(
    name="fed1_external_extends",
    features=("Fed 1 supergraph", "fed1 external extends", "fed1 extends resolvable", "@external", "@requires"),
    subgraphs=(ACCOUNTS, POSTINGS_SG),
    operations=(
        Op("owner_root_to_extension", "{ officers { name posting { station since } } }"),
        Op("extension_root_to_owner", "{ officerOnDuty { id name posting { station } } }"),
        Op("requires_from_the_extension_root", "{ officerOnDuty { badge } }"),
        Op("requires_from_the_owner_root", "{ officers { id badge } }"),
    ),
)
