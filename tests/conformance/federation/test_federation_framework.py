"""The suite's own machinery, without Node: the generic subgraph runtime and the comparison rule.

If these are wrong, every verdict of ``test_federation.py`` is; they run in well under a second.
"""

from __future__ import annotations

from typing import Any

from graphql import graphql_sync

from tests.conformance.federation.case import Op, Subgraph
from tests.conformance.federation.compare import compare_bodies, judge
from tests.conformance.federation.harness import Answer, CaseRun
from tests.conformance.federation.runtime import build_subgraph_schema

FED2 = '''extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",
                         import: [{name: "@key", as: "@primaryKey"}, "@shareable", "@external"])
type Query { courts: [Court!]! @shareable }
type Court @primaryKey(fields: "id") { id: ID! name: String! }
type Judge @federation__key(fields: "id") { id: ID! }
'''

FED1 = '''extend type Query { me: Clerk }
type Clerk @key(fields: "id") { id: ID! court: Court }
extend type Court @key(fields: "id") { id: ID! @external clerks: [Clerk] }
'''


def _execute(subgraph: Subgraph, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    result = graphql_sync(build_subgraph_schema(subgraph), query, variable_values=variables)
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [e.formatted for e in result.errors]
    return body


def test_fed2_subgraph_with_renamed_key_serves_entities_and_sdl_as_written() -> None:
    def court(representation: dict[str, Any], _info: Any) -> dict[str, Any] | None:
        if representation["id"] == "boom":
            raise ValueError("cannot load")
        return {"id": representation["id"], "name": f"court {representation['id']}"}

    subgraph = Subgraph("a", FED2, {"Court": {"__resolveReference": court}})
    body = _execute(subgraph, """
query($r: [_Any!]!) { _service { sdl } _entities(representations: $r) { __typename ... on Court { name } ... on Judge { id } } }
""", {"r": [{"__typename": "Court", "id": "c1"}, {"__typename": "Court", "id": "boom"},
            {"__typename": "Judge", "id": "j1"}]})
    assert body["data"]["_service"]["sdl"] == FED2
    assert body["data"]["_entities"] == [{"__typename": "Court", "name": "court c1"}, None,
                                         {"__typename": "Judge", "id": "j1"}]  # default: the representation
    assert [(e["message"], e["path"]) for e in body["errors"]] == [("cannot load", ["_entities", 1])]


def test_fed1_extensions_of_undefined_types_become_definitions() -> None:
    subgraph = Subgraph("b", FED1, {"Query": {"me": lambda *_: {"id": "k1", "court": {"id": "c1"}}}})
    body = _execute(subgraph, """
{ me { id court { id } } _entities(representations: [{__typename: "Court", id: "c2"}]) { ... on Court { id } } }
""")
    assert body == {"data": {"me": {"id": "k1", "court": {"id": "c1"}}, "_entities": [{"id": "c2"}]}}


def test_resolver_errors_and_resolve_type() -> None:
    sdl = "type Query { items: [Item] broken: Int }\ninterface Item { id: ID! }\ntype A implements Item { id: ID! }"
    subgraph = Subgraph("c", sdl, {"Query": {"items": lambda *_: [{"id": "1"}],
                                            "broken": lambda *_: (_ for _ in ()).throw(ValueError("no"))},
                                   "Item": {"__resolveType": lambda obj, _info: "A"}})
    body = _execute(subgraph, "{ items { __typename id } broken }")
    assert body["data"] == {"items": [{"__typename": "A", "id": "1"}], "broken": None}
    assert body["errors"][0]["path"] == ["broken"]


def test_data_must_match_in_key_order_and_numbers_by_value() -> None:
    assert compare_bodies({"data": {"a": 1, "b": 2.0}}, {"data": {"a": 1.0, "b": 2}}) == []
    assert compare_bodies({"data": {"b": 2, "a": 1}}, {"data": {"a": 1, "b": 2}}) == [
        "data: same values, different key order"]
    assert compare_bodies({"data": {"a": True}}, {"data": {"a": 1}})  # a boolean is not a number
    assert compare_bodies({"data": None}, {}), "absent data differs from null data"


def test_errors_compare_as_multisets_of_path_and_reference_code() -> None:
    reference = {"data": None, "errors": [{"path": ["a", 0], "extensions": {"code": "X"}}, {"path": ["b"]},
                                          {"path": ["b"]}]}
    ours = {"data": None, "errors": [{"path": ["b"], "extensions": {"code": "ANY"}}, {"path": ["a", 0],
                                     "extensions": {"code": "X"}}, {"path": ["b"], "message": "different"}]}
    assert compare_bodies(ours, reference) == []
    assert compare_bodies({"data": None, "errors": [{"path": ["a", 0]}, {"path": ["b"]}]}, reference) == [
        "errors missing from ours: a/0 X, b", "errors only in ours: a/0"]


def _run(op: Op, ours: Answer, apollo: Answer) -> CaseRun:
    from tests.conformance.federation.case import Case

    run = CaseRun(Case("c", ("f",), (Subgraph("s", "type Query { a: Int }"),), (op,)), None)
    run.ours[op.name], run.apollo[op.name] = ours, apollo
    return run


def test_judge_fetches_refusals_and_hand_written_answers() -> None:
    op = Op("q", "{ a }")
    ok = {"data": {"a": 1}}
    assert judge(_run(op, Answer(200, ok, 1), Answer(200, ok, 1)), op).ok
    assert judge(_run(op, Answer(200, ok, 3), Answer(200, ok, 2)), op).reasons == ["more fetches: ours 3 > Apollo 2"]
    refused = {"errors": [{"message": "bad", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}
    assert not judge(_run(op, Answer(400, refused, 0), Answer(400, refused, 0)), op).ok  # not named *_refused
    named = Op("q_refused", "{ b }")
    assert judge(_run(named, Answer(400, refused, 0), Answer(400, refused, 0)), named).ok
    spec = Op("s", "{ a }", expected={"data": {"a": 2}}, note="Apollo is wrong here")
    verdict = judge(_run(spec, Answer(200, {"data": {"a": 2}}, 1), Answer(200, ok, 1)), spec)
    assert verdict.ok and verdict.apollo_vs_expected == ["data differs: Apollo {\"a\": 1} vs reference {\"a\": 2}"]
