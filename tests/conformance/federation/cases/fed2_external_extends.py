"""Federation 2 subgraph extending an entity with ``extend type Rank @key(fields: "code")`` and the key
``@external`` (the Fed 1 habit, still valid in Fed 2: a key on an extension is not really external), with a root
of its own returning the type.
"""

from __future__ import annotations

from ..case import Case, Op, Subgraph
from ._sdl import by_key, link

RANKS = {"r1": {"code": "r1", "title": "Senior lieutenant"}, "r2": {"code": "r2", "title": "Major"}}
INSIGNIA = {"r1": "3 stars, 1 bar", "r2": "1 star, 2 bars"}

RANKS_SG = Subgraph(
    "ranks",
    link("@key") + """
type Query {
  ranks: [Rank!]!
}
type Rank @key(fields: "code") {
  code: ID!
  title: String!
}
""",
    {"Query": {"ranks": lambda *_: list(RANKS.values())}, "Rank": {"__resolveReference": by_key(RANKS, "code")}},
)

UNIFORMS = Subgraph(
    "uniforms",
    link("@key", "@external") + """
type Query {
  topRank: Rank
}
extend type Rank @key(fields: "code") {
  code: ID! @external
  insignia: String!
}
""",
    {"Query": {"topRank": lambda *_: {"code": "r2", "insignia": INSIGNIA["r2"]}},
     "Rank": {"__resolveReference": lambda ref, info: {"code": ref["code"], "insignia": INSIGNIA[ref["code"]]}
              if ref["code"] in INSIGNIA else None}},
)

CASE = Case(
    name="fed2_external_extends",
    features=("fed2 external extends", "@external", "@key"),
    subgraphs=(RANKS_SG, UNIFORMS),
    operations=(
        Op("owner_root", "{ ranks { code title insignia } }"),
        Op("extension_root", "{ topRank { code insignia title } }"),
        Op("extension_root_key_only", "{ topRank { code } }"),
    ),
)
