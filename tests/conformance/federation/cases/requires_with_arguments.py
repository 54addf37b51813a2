"""@requires with arguments: on the required field (``fine(currency: "VND")``, ``notes(limit: 3)``) and on the
requiring field (``bail(multiplier:)``), with the client selecting the same required field with OTHER arguments.

The spec's answer: the client's ``fine(currency: "USD")`` is the client's, and the required
``fine(currency: "VND")`` only feeds ``bail``; both are fetched (under different response keys) and neither
leaks into the other. Apollo Gateway merges the two selections of the same response key, so on those
operations ``expected`` is written by hand from the data below.
"""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link

FINES_VND = {"s1": 5_000_000, "s2": 2_500_000}
DAYS = {"s1": 30, "s2": 10}
NOTES = {"s1": [("n1", "a1"), ("n2", "a2"), ("n3", "a3"), ("n4", "a1")], "s2": [("n5", "a2"), ("n6", "a2")]}
REVIEWERS = {"a1": "An", "a2": "Binh", "a3": "Thao"}
RATES = {"VND": 1, "USD": 25_000}


def _fine(sentence: dict[str, Any], info: Any, currency: str) -> int:
    return FINES_VND[sentence["id"]] // RATES[currency]


def _notes(sentence: dict[str, Any], info: Any, limit: int) -> list[dict[str, Any]]:
    return [{"id": n, "authorId": a, "body": f"note {n}"} for n, a in NOTES[sentence["id"]][:limit]]


JUDGMENTS = Subgraph(
    "judgments",
    link("@key") + """
type Query {
  sentences: [Sentence!]!
}
type Sentence @key(fields: "id") {
  id: ID!
  fine(currency: String!): Int!
  days: Int!
  notes(limit: Int!): [Note!]!
}
type Note @key(fields: "id") {
  id: ID!
  authorId: ID!
  body: String!
}
""",
    {
        "Query": {"sentences": lambda *_: [{"id": s, "days": DAYS[s]} for s in FINES_VND]},
        "Sentence": {"__resolveReference": lambda ref, info: {"id": ref["id"], "days": DAYS.get(ref["id"])},
                     "fine": _fine, "notes": _notes},
        "Note": {"__resolveReference": lambda ref, info: {"id": ref["id"], "body": f"note {ref['id']}", "authorId":
                 next((a for ns in NOTES.values() for n, a in ns if n == ref["id"]), None)}},
    },
)


def _bail(sentence: dict[str, Any], info: Any, multiplier: int) -> int:
    # the representation carries the required fine in VND (whatever the client asked for) and the days
    return (sentence["fine"] // 1000 + sentence["days"]) * multiplier


BAIL = Subgraph(
    "bail",
    link("@key", "@external", "@requires") + """
type Sentence @key(fields: "id") {
  id: ID!
  fine(currency: String!): Int! @external
  days: Int! @external
  bail(multiplier: Int! = 1): Int! @requires(fields: "fine(currency: \\"VND\\") days")
}
""",
    {"Sentence": {"__resolveReference": lambda ref, info: ref, "bail": _bail}},
)


def _reviewer(sentence: dict[str, Any], info: Any) -> dict[str, Any] | None:
    notes = sentence["notes"]
    if len(notes) > 3:
        raise ValueError("more notes than the required notes(limit: 3)")
    author = notes[-1]["authorId"] if notes else None
    return {"id": author, "name": REVIEWERS[author]} if author else None


REVIEW = Subgraph(
    "review",
    link("@key", "@external", "@requires") + """
type Sentence @key(fields: "id") {
  id: ID!
  notes(limit: Int!): [Note!]! @external
  reviewer: Reviewer @requires(fields: "notes(limit: 3) { authorId }")
}
type Note @key(fields: "id") {
  id: ID!
  authorId: ID! @external
}
type Reviewer {
  id: ID!
  name: String!
}
""",
    {"Sentence": {"__resolveReference": lambda ref, info: ref, "reviewer": _reviewer}},
)

HAND = "written by hand from the spec: the client's selection and the required one differ in arguments, each " \
       "keeps its own value (Apollo Gateway merges them)"

CASE = Case(
    name="requires_with_arguments",
    features=("@requires", "@requires with arguments", "arguments on the requiring field"),
    subgraphs=(JUDGMENTS, BAIL, REVIEW),
    operations=(
        Op("required_field_with_argument", "{ sentences { id bail } }"),
        Op("requiring_field_with_argument", "{ sentences { bail(multiplier: 3) } }"),
        Op("same_arguments_as_required", '{ sentences { fine(currency: "VND") bail(multiplier: 2) } }'),
        Op("client_asks_other_argument", '{ sentences { fine(currency: "USD") bail } }',
           expected={"data": {"sentences": [{"fine": 200, "bail": 5030}, {"fine": 100, "bail": 2510}]}}, note=HAND),
        Op("required_list_with_argument", "{ sentences { reviewer { name } } }"),
        Op("client_asks_other_limit", "{ sentences { notes(limit: 1) { id } reviewer { id name } } }",
           expected={"data": {"sentences": [
               {"notes": [{"id": "n1"}], "reviewer": {"id": "a3", "name": "Thao"}},
               {"notes": [{"id": "n5"}], "reviewer": {"id": "a2", "name": "Binh"}}]}}, note=HAND),
        Op("limit_from_variable_in_fragments",
           "query ($limit: Int!) { sentences { ...N reviewer { name } } } "
           "fragment N on Sentence { notes(limit: $limit) { authorId } }", {"limit": 4},
           expected={"data": {"sentences": [
               {"notes": [{"authorId": "a1"}, {"authorId": "a2"}, {"authorId": "a3"}, {"authorId": "a1"}],
                "reviewer": {"name": "Thao"}},
               {"notes": [{"authorId": "a2"}, {"authorId": "a2"}], "reviewer": {"name": "Binh"}}]}}, note=HAND),
    ),
)
