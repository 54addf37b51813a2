"""The fast path of variable coercion (gateway.supergraph.variables) gives graphql-core's result, always."""

from __future__ import annotations

from typing import Any

from graphql import OperationDefinitionNode, build_schema, get_variable_values, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.supergraph.variables import coerce_variables

SCHEMA = build_schema("""
enum Kind { A B }
input Filter { name: String!, limit: Int = 10 }
type Query { q(a: ID, b: [ID!], c: Int, d: String, e: Boolean, f: [[Int]], g: Kind, h: Filter, i: Float): String }
""")
DOCUMENT = """query Q($a: ID!, $b: [ID!]!, $c: Int, $d: String = "x", $e: Boolean!, $f: [[Int]], $g: Kind,
                      $h: Filter, $i: Float) { q(a: $a, b: $b, c: $c, d: $d, e: $e, f: $f, g: $g, h: $h, i: $i) }"""
DEFINITIONS = parse(DOCUMENT).definitions[0]
assert isinstance(DEFINITIONS, OperationDefinitionNode)

scalars = st.one_of(st.none(), st.text(max_size=3), st.integers(-(2**33), 2**33), st.booleans(),
                    st.floats(allow_nan=False, width=32), st.sampled_from(["A", "B", "C"]))
values: st.SearchStrategy[Any] = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(
        st.sampled_from(["name", "limit", "other"]), inner, max_size=2)), max_leaves=6)


def _reference(raw: dict[str, Any]) -> Any:
    coerced = get_variable_values(SCHEMA, DEFINITIONS.variable_definitions, raw)
    if isinstance(coerced, list):
        return [e.message for e in coerced]
    return coerced.coerced if hasattr(coerced, "coerced") else coerced


def _ours(raw: dict[str, Any]) -> Any:
    coerced = coerce_variables(SCHEMA, DEFINITIONS.variable_definitions, raw)
    if isinstance(coerced, list):
        return [e.message for e in coerced]
    return coerced


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefghiz"), values, max_size=9))
def test_the_fast_path_agrees_with_graphql_core(raw: dict[str, Any]) -> None:
    assert _ours(raw) == _reference(raw)


def test_the_common_case_takes_the_fast_path_and_keeps_the_values() -> None:
    ids = [f"{i:012d}" for i in range(200)]
    raw = {"a": "036090000001", "b": ids, "c": 5, "d": "y", "e": True, "f": [[1, None], None]}
    assert _ours(raw) == _reference(raw) == raw
    assert _ours(raw)["b"] is ids  # not rebuilt item by item


def test_an_id_given_as_a_number_is_coerced_to_a_string_as_the_spec_says() -> None:
    raw = {"a": 7, "b": [1, "2"], "e": False}
    assert _ours(raw) == _reference(raw) == {"a": "7", "b": ["1", "2"], "d": "x", "e": False}


def test_errors_are_graphql_cores() -> None:
    assert _ours({"a": None, "b": [], "e": True}) == _reference({"a": None, "b": [], "e": True})
    assert _ours({"a": "x", "b": ["y"], "e": True, "c": 2**40})[0].startswith("Variable '$c' has invalid value")
