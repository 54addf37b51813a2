"""Progressive @override (federation 2.7, join v0.4 ``overrideLabel``): ``percent(100)`` means the overriding
subgraph always resolves the field, ``percent(0)`` that it never does. Both are deterministic, so the answer
is fixed: ``fine`` comes from ``enforcement`` (100 %), ``deadline`` still from ``courts`` (0 %). The root is in
a third subgraph so that either choice costs the same one hop (fetch counts stay comparable).

Apollo Gateway (JS) evaluates no label (every label is "off" unless the caller passes override conditions), so
on the ``percent(100)`` field ``expected`` is written by hand; on ``percent(0)`` Apollo's answer is the reference.
"""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import link

JUDGMENTS = {"v1": {"id": "v1", "fine": "courts-fine", "deadline": "2026-09-01"},
             "v2": {"id": "v2", "fine": "courts-fine", "deadline": "2026-10-15"}}
FINES = {"v1": "12,000,000 VND", "v2": "3,500,000 VND"}

REGISTRY = Subgraph(
    "registry",
    link("@key", version="2.7") + """
type Query {
  judgments: [Judgment!]!
}
type Judgment @key(fields: "id") {
  id: ID!
}
""",
    {"Query": {"judgments": lambda *_: [{"id": j} for j in JUDGMENTS]}},
)

COURTS = Subgraph(
    "courts",
    link("@key", version="2.7") + """
type Judgment @key(fields: "id") {
  id: ID!
  fine: String!
  deadline: String!
}
""",
    {"Judgment": {"__resolveReference": lambda ref, info: JUDGMENTS.get(ref["id"])}},
)

ENFORCEMENT = Subgraph(
    "enforcement",
    link("@key", "@override", version="2.7") + """
type Judgment @key(fields: "id") {
  id: ID!
  fine: String! @override(from: "courts", label: "percent(100)")
  deadline: String! @override(from: "courts", label: "percent(0)")
}
""",
    {"Judgment": {"__resolveReference": lambda ref, info: {"id": ref["id"], "fine": FINES.get(ref["id"]),
                                                           "deadline": "enforcement-deadline"}}},
)

HAND = ("written by hand from the spec: a percent(100) label is always enabled, the overriding subgraph "
        "answers; Apollo Gateway evaluates no labels and keeps asking the old subgraph")

CASE = Case(
    name="override_progressive",
    features=("@override", "progressive @override (labels)"),
    subgraphs=(REGISTRY, COURTS, ENFORCEMENT),
    operations=(
        Op("label_at_100_percent", "{ judgments { id fine } }",
           expected={"data": {"judgments": [{"id": "v1", "fine": "12,000,000 VND"},
                                             {"id": "v2", "fine": "3,500,000 VND"}]}}, note=HAND),
        Op("label_at_0_percent", "{ judgments { id deadline } }"),
        Op("both_labels", "{ judgments { deadline fine } }",
           expected={"data": {"judgments": [{"deadline": "2026-09-01", "fine": "12,000,000 VND"},
                                             {"deadline": "2026-10-15", "fine": "3,500,000 VND"}]}}, note=HAND),
    ),
)
