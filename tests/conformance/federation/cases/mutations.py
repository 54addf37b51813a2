"""Mutations: root mutation fields of two subgraphs in one operation run one after another in document order
(each sees the previous one's effect), and their results may hop to other subgraphs for entity fields."""

from __future__ import annotations

from typing import Any

from ..case import Case, Op, Subgraph
from ._sdl import link


def _notes(info: Any) -> list[dict[str, Any]]:
    return info.context["state"].setdefault("notes", [{"id": "n1", "text": "filed", "court": {"id": "c1"}}])


def _counter(info: Any) -> dict[str, int]:
    return info.context["state"].setdefault("counter", {"value": 0})


def add_note(_: Any, info: Any, text: str, courtId: str) -> dict[str, Any]:
    notes = _notes(info)
    note = {"id": f"n{len(notes) + 1}", "text": text, "court": {"id": courtId}}
    notes.append(note)
    return note


def delete_note(_: Any, info: Any, id: str) -> bool:
    notes = _notes(info)
    before = len(notes)
    notes[:] = [n for n in notes if n["id"] != id]
    return len(notes) < before


def bump(_: Any, info: Any, by: int) -> int:
    counter = _counter(info)
    counter["value"] = counter["value"] * 10 + by  # order-sensitive: 1 then 2 → 12, 2 then 1 → 21
    return counter["value"]


def fail_note(_: Any, info: Any) -> dict[str, Any]:
    raise ValueError("the registry refuses this note")


NOTES = Subgraph(
    "notes",
    link("@key") + """
type Query {
  notes: [Note!]!
}
type Mutation {
  addNote(text: String!, courtId: ID!): Note!
  deleteNote(id: ID!): Boolean!
  failNote: Note
}
type Note @key(fields: "id") {
  id: ID!
  text: String!
  court: Court!
}
type Court @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    {"Query": {"notes": lambda _, info: _notes(info)},
     "Mutation": {"addNote": add_note, "deleteNote": delete_note, "failNote": fail_note},
     "Note": {"__resolveReference": lambda rep, info: next((n for n in _notes(info) if n["id"] == rep["id"]), None)}},
)

COUNTER = Subgraph(
    "counter",
    link("@key") + """
type Query {
  counter: Int!
}
type Mutation {
  bump(by: Int!): Int!
}
type Court @key(fields: "id") {
  id: ID!
  name: String!
}
""",
    {"Query": {"counter": lambda _, info: _counter(info)["value"]},
     "Mutation": {"bump": bump},
     "Court": {"__resolveReference": lambda rep, _: {"id": rep["id"], "name": f"Court {rep['id']}"}}},
)

CASE = Case(
    name="mutations",
    features=("mutations in order", "entity call", "errors"),
    subgraphs=(NOTES, COUNTER),
    operations=(
        Op("sequence_across_subgraphs", """
mutation { a: bump(by: 1) n: addNote(text: "hearing set", courtId: "c2") { id text } b: bump(by: 2) }
"""),
        Op("result_hops_to_other_subgraph", """
mutation { addNote(text: "appeal", courtId: "c9") { id court { id name } } }
"""),
        Op("effects_visible_in_query", "{ notes { id text court { name } } counter }"),
        Op("delete_then_count", """
mutation { first: deleteNote(id: "n2") again: deleteNote(id: "n2") c: bump(by: 3) }
"""),
        Op("failed_mutation_then_next_runs", "mutation { failNote { id } after: bump(by: 4) }"),
        Op("same_subgraph_in_a_row", "mutation { x: bump(by: 5) y: bump(by: 6) n: addNote(text: \"z\", courtId: \"c3\") { id } }",
           note="consecutive fields of one subgraph: Apollo sends them in one fetch (still in order)"),
        Op("final_state", "{ notes { id } counter }"),
        Op("mutation_with_variables", """
mutation M($t: String!, $c: ID!) { addNote(text: $t, courtId: $c) { text court { name } } }
""", {"t": "closing", "c": "c1"}),
    ),
)
