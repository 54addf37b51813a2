"""Composition in Python: golden output (composed by Apollo, checked in) and composition errors."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from gateway.compose import CompositionFailed, SubgraphSource, compose
from gateway.compose.cli import register
from gateway.compose.printer import locale_key
from tests.compose.directive_cases import COMPOSING, FAILING, Case

FIXTURES = Path(__file__).parent / "fixtures"
URLS = {
    "population": "http://127.0.0.1:4001/graphql",
    "civil_status": "http://127.0.0.1:4002/graphql",
    "sentences": "http://127.0.0.1:4003/graphql",
}
HEADER = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", '
    'import: ["@key", "@shareable", "@external", "@requires"])\n'
)


def rich_sources() -> list[SubgraphSource]:
    return [SubgraphSource(n, u, (FIXTURES / "rich" / f"{n}.graphql").read_text()) for n, u in URLS.items()]


def test_rich_fixture_composes_exactly_like_apollo() -> None:
    """``fixtures/rich/supergraph.graphql`` is @apollo/composition 2.14's output for the same SDLs."""
    expected = (FIXTURES / "rich" / "supergraph.graphql").read_text()
    assert compose(rich_sources()).supergraph_sdl == expected


def fixture_sources(name: str) -> list[SubgraphSource]:
    return [SubgraphSource(n, u, (FIXTURES / name / f"{n}.graphql").read_text()) for n, u in URLS.items()]


def test_protection_fixture_composes_exactly_like_apollo() -> None:
    """``fixtures/protection``: ``@dataSubject`` (repeatable, on objects and an interface, on an entity declared in
    three subgraphs with and without it, the same application from two subgraphs), ``@personalData(kind:)`` with
    an enum argument and explicit nulls, ``@protectionFact``; ``supergraph.graphql`` is Apollo's output."""
    expected = (FIXTURES / "protection" / "supergraph.graphql").read_text()
    assert compose(fixture_sources("protection")).supergraph_sdl == expected


@pytest.mark.parametrize("case", COMPOSING, ids=lambda c: c.id)
def test_composed_directive_cases(case: Case) -> None:
    sdl = compose(case.sources()).supergraph_sdl
    for line in case.expect:
        assert line in sdl


@pytest.mark.parametrize("case", FAILING, ids=lambda c: c.id)
def test_invalid_composed_directive_use_is_refused(case: Case) -> None:
    with pytest.raises(CompositionFailed) as info:
        compose(case.sources())
    assert case.error is not None
    code, fragment = case.error
    assert any(e.code == code and fragment in e.message for e in info.value.errors), info.value.report()
    assert all(loc.line > 0 for e in info.value.errors for loc in e.locations)


def test_cli_refuses_an_invalid_application_without_traceback(tmp_path: Path) -> None:
    for name in URLS:
        (tmp_path / f"{name}.graphql").write_text((FIXTURES / "protection" / f"{name}.graphql").read_text())
    path = tmp_path / "sentences.graphql"
    path.write_text(path.read_text().replace("@dataSubject(field: \"offender\", role: SUBJECT", "@dataSubject(field: \"offender\", role: null"))
    code, _, err = run_cli("--from-files", str(tmp_path), "--output", str(tmp_path / "out.graphql"))
    assert code == 1 and "Traceback" not in err
    assert '[sentences] Invalid value for "@dataSubject(role:)" of type "SubjectRole!"' in err
    assert "(at sentences:" in err


def test_core_fixture_subgraphs_compose_like_apollo() -> None:
    """The gateway core's fixture subgraphs (@requires, @provides, interface, union, renamed mutation root):
    ``tests/fixtures/supergraph.graphql`` was composed by Apollo."""
    from tests.fixtures.compose_fixtures import URLS as FIXTURE_URLS
    from tests.fixtures.serve import subgraph_sdl
    from tests.fixtures.subgraphs import SCHEMAS

    sources = [SubgraphSource(n, FIXTURE_URLS[n], subgraph_sdl(n)) for n in SCHEMAS]
    expected = (Path(__file__).parents[1] / "fixtures" / "supergraph.graphql").read_text()
    assert compose(sources).supergraph_sdl == expected


def failure(*sdls: tuple[str, str]) -> CompositionFailed:
    with pytest.raises(CompositionFailed) as info:
        compose([SubgraphSource(name, f"http://{name}/graphql", HEADER + sdl) for name, sdl in sdls])
    return info.value


def codes(exc: CompositionFailed) -> list[str]:
    return [e.code for e in exc.errors]


def test_type_kind_mismatch_names_subgraphs_and_locations() -> None:
    exc = failure(("a", "type Query { x: X }\ntype X { id: ID }"), ("b", "type Query { y: X }\ninterface X { id: ID }"))
    err = next(e for e in exc.errors if e.code == "TYPE_KIND_MISMATCH")
    assert '"a"' in err.message and '"b"' in err.message and "Interface Type" in err.message
    assert {loc.subgraph for loc in err.locations} == {"a", "b"}
    assert all(loc.line > 0 for loc in err.locations)


def test_non_shareable_field_in_two_subgraphs() -> None:
    exc = failure(
        ("a", "type Query { x: V }\ntype V { name: String }"),
        ("b", "type Query { y: V }\ntype V { name: String }"),
    )
    assert codes(exc) == ["INVALID_FIELD_SHARING"]
    assert 'Non-shareable field "V.name"' in exc.errors[0].message
    assert [loc.subgraph for loc in exc.errors[0].locations] == ["a", "b"]


def test_shareable_value_type_composes() -> None:
    result = compose(
        [
            SubgraphSource("a", "http://a", HEADER + "type Query { x: V }\ntype V @shareable { name: String }"),
            SubgraphSource("b", "http://b", HEADER + "type Query { y: V }\ntype V @shareable { name: String }"),
        ]
    )
    assert "type V\n  @join__type(graph: A)\n  @join__type(graph: B)\n{\n  name: String\n}" in result.supergraph_sdl


def test_root_field_in_two_subgraphs_must_be_shareable() -> None:
    exc = failure(("a", "type Query { x: Int }"), ("b", "type Query { x: Int }"))
    assert codes(exc) == ["INVALID_FIELD_SHARING"]


def test_entity_without_resolvable_key_is_unsatisfiable() -> None:
    exc = failure(
        ("a", 'type Query { p: P }\ntype P @key(fields: "id") { id: ID! name: String }'),
        ("b", "type P { id: ID! @shareable extra: Int }"),
    )
    assert codes(exc) == ["SATISFIABILITY_ERROR"]
    assert '"P.extra"' in exc.errors[0].message and '"a"' in exc.errors[0].message
    assert exc.errors[0].locations[0].subgraph == "b"


def test_unresolvable_key_is_unsatisfiable() -> None:
    exc = failure(
        ("a", 'type Query { p: P }\ntype P @key(fields: "id") { id: ID! }'),
        ("b", 'type P @key(fields: "id", resolvable: false) { id: ID! extra: Int }'),
    )
    assert "SATISFIABILITY_ERROR" in codes(exc)


def test_field_type_mismatch() -> None:
    exc = failure(
        ("a", 'type Query { p: P }\ntype P @key(fields: "id") { id: ID! n: Int @shareable }'),
        ("b", 'type P @key(fields: "id") { id: ID! n: String @shareable }'),
    )
    assert codes(exc) == ["FIELD_TYPE_MISMATCH"]
    assert 'type "Int" in "a"' in exc.errors[0].message


def test_compatible_field_types_use_the_more_general_one() -> None:
    result = compose(
        [
            SubgraphSource("a", "http://a", HEADER + 'type Query { p: P }\ntype P @key(fields: "id") { id: ID! n: Int! @shareable }'),
            SubgraphSource("b", "http://b", HEADER + 'type P @key(fields: "id") { id: ID! n: Int @shareable }'),
        ]
    )
    assert 'n: Int @join__field(graph: A, type: "Int!") @join__field(graph: B, type: "Int")' in result.supergraph_sdl


def test_enum_used_as_input_and_output_must_match() -> None:
    exc = failure(
        ("a", "type Query { k(e: E): E }\nenum E { X Y }"),
        ("b", "type Query { j: E }\nenum E { X }"),
    )
    assert codes(exc) == ["ENUM_VALUE_MISMATCH"]
    assert '"Y"' in exc.errors[0].message


def test_output_enum_values_are_merged_and_input_enum_values_intersected() -> None:
    out = compose(
        [
            SubgraphSource("a", "http://a", HEADER + "type Query { k: E f(i: I): Int }\nenum E { X Y }\nenum I { P Q }"),
            SubgraphSource("b", "http://b", HEADER + "type Query { j: E g(i: I): Int }\nenum E { X Z }\nenum I { P }"),
        ]
    ).supergraph_sdl
    assert "  Y @join__enumValue(graph: A)\n  Z @join__enumValue(graph: B)" in out
    assert "  P @join__enumValue(graph: A) @join__enumValue(graph: B)\n}" in out and "  Q " not in out


def test_required_argument_missing_in_a_subgraph() -> None:
    exc = failure(
        ("a", 'type Query { p: P }\ntype P @key(fields: "id") { id: ID! f(x: Int!): Int @shareable }'),
        ("b", 'type P @key(fields: "id") { id: ID! f: Int @shareable }'),
    )
    assert codes(exc) == ["REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH"]


def test_key_on_missing_field() -> None:
    exc = failure(("a", 'type Query { p: P }\ntype P @key(fields: "nope") { id: ID! }'))
    assert codes(exc) == ["KEY_INVALID_FIELDS"]
    assert "[a]" in exc.errors[0].message


def test_classification_must_agree_across_subgraphs() -> None:
    header = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key", "@composeDirective"])'
        ' @link(url: "https://example.org/c/v1.0", import: ["@cat"]) @composeDirective(name: "@cat")\n'
        "directive @cat(c: String!) on FIELD_DEFINITION\n"
    )
    with pytest.raises(CompositionFailed) as info:
        compose(
            [
                SubgraphSource("a", "http://a", header + 'type Query { p: P }\ntype P @key(fields: "id") { id: ID! @cat(c: "X") }'),
                SubgraphSource("b", "http://b", header + 'type P @key(fields: "id") { id: ID! @cat(c: "Y") }'),
            ]
        )
    assert [e.code for e in info.value.errors] == ["INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS"]


def test_not_a_federation_2_subgraph_and_syntax_errors() -> None:
    with pytest.raises(CompositionFailed) as info:
        compose([SubgraphSource("a", "http://a", "type Query { x: Int }"), SubgraphSource("b", "http://b", "type {")])
    assert [e.code for e in info.value.errors] == ["UNSUPPORTED_FEDERATION_VERSION", "INVALID_GRAPHQL"]
    assert info.value.errors[1].locations[0].subgraph == "b"


def test_locale_order_matches_apollo() -> None:
    names = ["Query", "join__Graph", "PageInfo", "link__Import", "DataCategory", "Person", "join__FieldSet"]
    assert sorted(names, key=locale_key) == [
        "DataCategory", "join__FieldSet", "join__Graph", "link__Import", "PageInfo", "Person", "Query",
    ]


def run_cli(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["compose", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = args.handler(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_writes_then_checks(tmp_path: Path) -> None:
    output = tmp_path / "schema.graphql"
    code, out, _ = run_cli("--from-files", str(FIXTURES / "rich"), "--output", str(output))
    assert code == 0 and "wrote" in out
    assert output.read_text() == (FIXTURES / "rich" / "supergraph.graphql").read_text() + "\n"
    assert run_cli("--check", "--from-files", str(FIXTURES / "rich"), "--output", str(output))[0] == 0
    output.write_text(output.read_text().replace("hasNextPage", "hasNext"))
    code, out, _ = run_cli("--check", "--from-files", str(FIXTURES / "rich"), "--output", str(output))
    assert code == 1
    assert "-  hasNext: Boolean!" in out and "+  hasNextPage: Boolean!" in out and "is stale" in out


def test_cli_reports_composition_errors_without_traceback(tmp_path: Path) -> None:
    for name in URLS:
        (tmp_path / f"{name}.graphql").write_text((FIXTURES / "rich" / f"{name}.graphql").read_text())
    broken = (tmp_path / "sentences.graphql").read_text().replace("type PageInfo @shareable", "type PageInfo")
    (tmp_path / "sentences.graphql").write_text(broken)
    code, _, err = run_cli("--from-files", str(tmp_path), "--output", str(tmp_path / "out.graphql"))
    assert code == 1
    assert "INVALID_FIELD_SHARING" in err and "sentences:" in err and "Traceback" not in err
    assert not (tmp_path / "out.graphql").exists()


def test_cli_missing_files(tmp_path: Path) -> None:
    code, _, err = run_cli("--from-files", str(tmp_path))
    assert code == 2 and "population.graphql" in err
