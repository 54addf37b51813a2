"""Entry point of composition: subgraph SDLs in, supergraph SDL (Apollo join-spec form) out."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLError, build_ast_schema, parse, validate_schema

from .applications import check_subgraph
from .errors import CompositionError, CompositionFailed, CompositionHint
from .joinspec import graph_enum_names
from .merge import merge
from .printer import print_supergraph
from .state import MergeState
from .subgraph import Subgraph, parse_subgraph
from .validate import validate_field_sets, validate_field_sharing, validate_reachability


@dataclass(frozen=True, slots=True)
class SubgraphSource:
    """A subgraph to compose: its name (``population``), routing URL and SDL."""

    name: str
    url: str
    sdl: str


@dataclass(frozen=True, slots=True)
class Composition:
    supergraph_sdl: str
    hints: list[CompositionHint]


def compose(sources: list[SubgraphSource]) -> Composition:
    """Compose ``sources``; raise :class:`CompositionFailed` with every error found."""
    errors: list[CompositionError] = []
    subgraphs: list[Subgraph] = []
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            errors.append(CompositionError("INVALID_SUBGRAPH_NAME", f'subgraph name "{source.name}" used twice'))
            continue
        seen.add(source.name)
        subgraph, subgraph_errors = parse_subgraph(source.name, source.url, source.sdl)
        errors.extend(subgraph_errors)
        if subgraph is not None:
            errors.extend(check_subgraph(subgraph))
            subgraphs.append(subgraph)
    if errors:
        raise CompositionFailed(errors)
    if not subgraphs:
        raise CompositionFailed([CompositionError("NO_SUBGRAPHS", "no subgraphs to compose")])
    subgraphs.sort(key=lambda s: s.name)
    state = MergeState(
        subgraphs=subgraphs,
        graph_enum=graph_enum_names([s.name for s in subgraphs]),
    )
    validate_field_sets(state)
    supergraph = merge(state)
    if not state.errors:
        validate_field_sharing(state)
        validate_reachability(state)
    sdl = print_supergraph(supergraph)
    if not state.errors:
        state.errors.extend(_graphql_validation(sdl))
    if state.errors:
        raise CompositionFailed(state.errors)
    return Composition(supergraph_sdl=sdl, hints=state.hints)


def _graphql_validation(sdl: str) -> list[CompositionError]:
    """The merged schema must itself be a valid GraphQL schema (interfaces implemented, types defined, ...)."""
    try:
        schema = build_ast_schema(parse(sdl))
    except (GraphQLError, TypeError) as exc:
        return [CompositionError("INVALID_GRAPHQL", f"the merged schema is invalid: {exc}")]
    return [CompositionError("INVALID_GRAPHQL", f"the merged schema is invalid: {e.message}")
            for e in validate_schema(schema)]
