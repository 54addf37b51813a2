"""@override from a subgraph that is not in the supergraph (``@override(from: "archive")``, the archive
subgraph having been retired): composition only hints, and the overriding subgraph simply owns the field.
"""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import link

NOTICES = {"p1": {"id": "p1", "title": "Hearing postponed"}, "p2": {"id": "p2", "title": "Verdict published"}}
CREATED = {"p1": "2026-05-02", "p2": "2026-06-11"}

BOARD = Subgraph(
    "board",
    link("@key") + """
type Query {
  boardNotices: [Notice!]!
}
type Notice @key(fields: "id") {
  id: ID!
  title: String!
}
""",
    {"Query": {"boardNotices": lambda *_: [NOTICES["p2"]]},
     "Notice": {"__resolveReference": lambda ref, info: NOTICES.get(ref["id"])}},
)

CALENDAR = Subgraph(
    "calendar",
    link("@key", "@override") + """
type Query {
  calendarNotices: [Notice!]!
}
type Notice @key(fields: "id") {
  id: ID!
  createdAt: String! @override(from: "archive")
}
""",
    {"Query": {"calendarNotices": lambda *_: [{"id": "p1", "createdAt": CREATED["p1"]}]},
     "Notice": {"__resolveReference": lambda ref, info: {"id": ref["id"], "createdAt": CREATED[ref["id"]]}
                if ref["id"] in CREATED else None}},
)

CASE = Case(
    name="override_unavailable",
    features=("@override", "@override from an unavailable subgraph"),
    subgraphs=(BOARD, CALENDAR),
    operations=(
        Op("overriding_root", "{ calendarNotices { id createdAt } }"),
        Op("hop_to_the_overriding_subgraph", "{ boardNotices { title createdAt } }"),
        Op("both_roots", "{ boardNotices { createdAt } calendarNotices { title createdAt } }"),
    ),
)
