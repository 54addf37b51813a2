"""Nested @provides: ``Hearing.judge @provides(fields: "name court { name }")`` lets the hearings subgraph
answer the judge's name and court name itself (no hop to staff); what it does not provide (``title``,
``court.city``) or a field without @provides (``substitute``) needs the owner. The hearings subgraph only
knows the provided fields: a router using it for anything else gets nulls where the schema says non-null.
"""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import by_key, link

COURTS = {"k1": {"id": "k1", "name": "Da Nang court", "city": "Da Nang"},
          "k2": {"id": "k2", "name": "Hai Phong court", "city": "Hai Phong"}}
JUDGES = {"j1": {"id": "j1", "name": "Judge Hung", "title": "Chief judge", "court": COURTS["k1"]},
          "j2": {"id": "j2", "name": "Judge Mai", "title": "Judge", "court": COURTS["k2"]}}
HEARINGS = [{"id": "h1", "date": "2026-01-12", "judge": "j1", "substitute": "j2"},
            {"id": "h2", "date": "2026-02-03", "judge": "j2", "substitute": "j1"}]


def _provided(judge_id: str) -> dict[str, object]:
    judge = JUDGES[judge_id]
    return {"id": judge_id, "name": judge["name"], "court": {"id": judge["court"]["id"], "name": judge["court"]["name"]}}


STAFF = Subgraph(
    "staff",
    link("@key", "@shareable") + """
type Query {
  judges: [Judge!]!
}
type Judge @key(fields: "id") {
  id: ID!
  name: String! @shareable
  title: String!
  court: Court! @shareable
}
type Court @key(fields: "id") {
  id: ID!
  name: String! @shareable
  city: String!
}
""",
    {"Query": {"judges": lambda *_: list(JUDGES.values())},
     "Judge": {"__resolveReference": by_key(JUDGES)}, "Court": {"__resolveReference": by_key(COURTS)}},
)

HEARINGS_SG = Subgraph(
    "hearings",
    link("@key", "@external", "@provides") + """
type Query {
  hearings: [Hearing!]!
}
type Hearing @key(fields: "id") {
  id: ID!
  date: String!
  judge: Judge! @provides(fields: "name court { name }")
  substitute: Judge!
}
type Judge @key(fields: "id") {
  id: ID!
  name: String! @external
  court: Court! @external
}
type Court @key(fields: "id") {
  id: ID!
  name: String! @external
}
""",
    {"Query": {"hearings": lambda *_: HEARINGS},
     "Hearing": {"judge": lambda h, info: _provided(h["judge"]), "substitute": lambda h, info: {"id": h["substitute"]},
                 "__resolveReference": lambda ref, info: next((h for h in HEARINGS if h["id"] == ref["id"]), None)}},
)

CASE = Case(
    name="provides_nested",
    features=("@provides", "@provides nested", "@external"),
    subgraphs=(STAFF, HEARINGS_SG),
    operations=(
        Op("provided_only_no_hop", "{ hearings { date judge { name court { name } } } }"),
        Op("provided_and_not_provided", "{ hearings { judge { name title court { name city } } } }"),
        Op("field_without_provides_hops", "{ hearings { substitute { name court { name } } } }"),
        Op("both_paths_aliased", "{ hearings { j: judge { n: name } s: substitute { n: name } } }"),
        Op("keys_only", "{ hearings { judge { id court { id } } } }"),
    ),
)
