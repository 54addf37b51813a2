"""Merge parsed subgraphs into a :class:`Supergraph`, in the order and with the rules of Apollo's ``Merger``.

Order matters for the printed output: implementations and union members first, then scalars, input types,
interfaces and objects, then composed directive definitions, then enums (whose merge rule depends on whether
they were seen in input or output position), and finally the applied directives.
"""

from __future__ import annotations

from .fields import merge_argument, merge_field, merge_input_field
from .joinspec import join_directive_defs, join_types, join_version
from .links import LINK_IDENTITY, Link
from .model import Graph, SDirectiveDef, SEnumValue, SField, SType, Supergraph
from .state import MergeState, Sources, merge_description
from .subgraph import Subgraph, TypeDef
from .values import print_string

KIND_LABEL = {
    "OBJECT": "Object Type",
    "INTERFACE": "Interface Type",
    "UNION": "Union Type",
    "ENUM": "Enum Type",
    "INPUT_OBJECT": "Input Object Type",
    "SCALAR": "Scalar Type",
}


def merge(state: MergeState) -> Supergraph:
    """Merge ``state.subgraphs`` (already sorted by name); errors and hints accumulate in ``state``."""
    kinds = _add_types_shallow(state)
    by_kind: dict[str, list[str]] = {}
    for name, kind in kinds.items():
        by_kind.setdefault(kind, []).append(name)
    for name in by_kind.get("OBJECT", []) + by_kind.get("INTERFACE", []):
        _merge_implements(state, name)
    for name in by_kind.get("UNION", []):
        _merge_type_header(state, name)
        _merge_union(state, name)
    roots = {op: op.capitalize() for op in ("query", "mutation", "subscription") if any(
        op in s.roots for s in state.subgraphs)}
    if not any(s.types["Query"].fields for s in state.subgraphs if s.types.get("Query") is not None):
        roots.pop("query", None)
        state.error("NO_QUERIES", "No queries found in any subgraph: a supergraph must have a query root type.")
    for kind in ("SCALAR", "INPUT_OBJECT", "INTERFACE", "OBJECT"):
        for name in by_kind.get(kind, []):
            _merge_type_header(state, name)
            if kind == "INPUT_OBJECT":
                _merge_input(state, name)
            elif kind in ("OBJECT", "INTERFACE"):
                _merge_fields(state, name)
    directive_defs, composed_links = _merge_composed_directive_defs(state)
    state.repeatable = {name: d.repeatable for name, d in directive_defs.items()}
    for name in by_kind.get("ENUM", []):
        _merge_type_header(state, name)
        _merge_enum(state, name)
    state.apply_pending_directives()
    for name in [n for n, t in state.types.items() if t.kind == "OBJECT" and not t.fields]:
        del state.types[name]
    return _assemble(state, roots, directive_defs, composed_links)


def _sources(state: MergeState, name: str) -> Sources[TypeDef]:
    kind = state.types[name].kind
    return [s.types[name] if name in s.types and s.types[name].kind == kind else None for s in state.subgraphs]


def _add_types_shallow(state: MergeState) -> dict[str, str]:
    kinds: dict[str, str] = {}
    mismatched: list[str] = []
    for subgraph in state.subgraphs:
        for type_def in subgraph.types.values():
            previous = kinds.get(type_def.name)
            if previous is None:
                kinds[type_def.name] = type_def.kind
                state.types[type_def.name] = SType(kind=type_def.kind, name=type_def.name)
            elif previous != type_def.kind and type_def.name not in mismatched:
                mismatched.append(type_def.name)
    for name in mismatched:
        detail = ", ".join(
            f'{KIND_LABEL[s.types[name].kind]} in "{s.name}"' for s in state.subgraphs if name in s.types
        )
        state.error(
            "TYPE_KIND_MISMATCH",
            f'Type "{name}" has mismatched kind: it is defined as {detail}',
            [s.types[name].location for s in state.subgraphs if name in s.types],
        )
    return kinds


def _merge_implements(state: MergeState, name: str) -> None:
    dest = state.types[name]
    for index, source in enumerate(_sources(state, name)):
        for iface in source.interfaces if source else ():
            if iface not in dest.interfaces:
                dest.interfaces.append(iface)
            dest.directives.append(f"@join__implements(graph: {state.graph(index)}, interface: {print_string(iface)})")


def _merge_type_header(state: MergeState, name: str) -> None:
    """Description, ``@join__type`` per subgraph (one per ``@key``) and the type's own applied directives."""
    dest = state.types[name]
    sources = _sources(state, name)
    dest.description = merge_description(state, sources, name)
    for index, source in enumerate(sources):
        if source is None:
            continue
        graph = state.graph(index)
        if not source.keys:
            dest.directives.append(f"@join__type(graph: {graph})")
        for key in source.keys:
            args = [f"graph: {graph}", f"key: {print_string(key.fields)}"]
            if key.extension or source.extends:
                args.append("extension: true")
            if key.resolvable is not None:
                args.append(f"resolvable: {'true' if key.resolvable else 'false'}")
            dest.directives.append(f"@join__type({', '.join(args)})")
    state.defer_directives([s.directives if s else None for s in sources], dest.directives, name)


def _merge_union(state: MergeState, name: str) -> None:
    dest = state.types[name]
    sources = _sources(state, name)
    for source in sources:
        for member in source.members if source else ():
            if member not in dest.members:
                dest.members.append(member)
    for member in dest.members:
        for index, source in enumerate(sources):
            if source is not None and member in source.members:
                dest.directives.append(
                    f"@join__unionMember(graph: {state.graph(index)}, member: {print_string(member)})"
                )
        if any(s is not None and member not in s.members for s in sources):
            state.hint("INCONSISTENT_UNION_MEMBER", f'Union "{name}" includes "{member}" in only some subgraphs')


def _merge_fields(state: MergeState, name: str) -> None:
    dest = state.types[name]
    sources = _sources(state, name)
    present = [name in s.types for s in state.subgraphs]
    field_sources: dict[str, Sources] = {}
    for index, source in enumerate(sources):
        for field_name, field in (source.fields if source else {}).items():
            field_sources.setdefault(field_name, [None] * len(sources))[index] = field
    for field_name, per_graph in field_sources.items():
        dest_field = dest.fields[field_name] = SField(name=field_name)
        merge_field(state, per_graph, present, dest_field)


def _merge_input(state: MergeState, name: str) -> None:
    dest = state.types[name]
    sources = _sources(state, name)
    present = [s is not None for s in sources]
    field_sources: dict[str, Sources] = {}
    for index, source in enumerate(sources):
        for field_name, field in (source.input_fields if source else {}).items():
            field_sources.setdefault(field_name, [None] * len(sources))[index] = field
    for field_name, per_graph in field_sources.items():
        merged = merge_input_field(state, per_graph, present, f"{name}.{field_name}")
        if merged is not None:
            dest.input_fields[field_name] = merged
    if not dest.input_fields:
        state.error(
            "EMPTY_MERGED_INPUT_TYPE",
            f'None of the fields of input object type "{name}" are consistently defined in all the subgraphs '
            "defining that type.",
            [s.location for s in sources if s],
        )


def _merge_enum(state: MergeState, name: str) -> None:
    dest = state.types[name]
    sources = _sources(state, name)
    usage = state.enum_usage.get(name)
    if usage is None:
        usage = "Output"
        state.hint("UNUSED_ENUM_TYPE", f'Enum type "{name}" is defined but unused.')
    for source in sources:
        for value in source.values if source else ():
            if value not in dest.values:
                dest.values[value] = SEnumValue(value)
    for value_name in list(dest.values):
        value = dest.values[value_name]
        value_sources = [s.values.get(value_name) if s else None for s in sources]
        value.description = merge_description(state, value_sources, f"{name}.{value_name}")
        value.directives.extend(
            f"@join__enumValue(graph: {state.graph(i)})" for i, v in enumerate(value_sources) if v is not None
        )
        state.defer_directives([v.directives if v else None for v in value_sources], value.directives,
                               f"{name}.{value_name}")
        missing = [state.subgraphs[i].name for i, s in enumerate(sources) if s and value_name not in s.values]
        if not missing or usage == "Output":
            continue
        if usage == "Both":
            state.error(
                "ENUM_VALUE_MISMATCH",
                f'Enum type "{name}" is used as both input type and output type, but value "{value_name}" is not '
                f"defined in all the subgraphs defining \"{name}\": it is missing in {', '.join(missing)}",
                [s.location for s in sources if s],
            )
        else:
            state.hint("INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM", f'Value "{name}.{value_name}" is dropped')
            del dest.values[value_name]
    if not dest.values:
        state.error("EMPTY_MERGED_ENUM_TYPE", f'None of the values of enum type "{name}" are defined consistently.')


def _composed_names(state: MergeState) -> list[str]:
    """Composed directive names in the order Apollo first meets them: subgraph by subgraph, in the order of each
    subgraph's ``@composeDirective`` applications."""
    names: list[str] = []
    for subgraph in state.subgraphs:
        names.extend(n for n in subgraph.composed if n not in names)
    return names


def _feature_of(subgraph: Subgraph, directive: str) -> Link | None:
    """The non-federation ``@link`` through which ``subgraph`` imports ``directive`` (by local name)."""
    for link in subgraph.links:
        if not link.is_federation and link.identity != LINK_IDENTITY and directive in link.imports.values():
            return link
    return None


def _latest_features(state: MergeState) -> dict[str, tuple[int, int]]:
    """For every specification a composed directive comes from, the version the supergraph links: the highest
    minor version among the subgraphs that compose from it (Apollo's ``getLatestIfCompatible``); different major
    versions are an error."""
    versions: dict[str, list[tuple[int, int]]] = {}
    for subgraph in state.subgraphs:
        for name in subgraph.composed:
            link = _feature_of(subgraph, name)
            if link is not None:
                versions.setdefault(link.identity, []).append((link.major, link.minor))
    latest: dict[str, tuple[int, int]] = {}
    for identity, found in versions.items():
        if len({major for major, _ in found}) > 1:
            state.error(
                "DIRECTIVE_COMPOSITION_ERROR",
                f'Core feature "{identity}" requested to be merged has major version mismatch across subgraphs',
            )
            continue
        latest[identity] = max(found)
    return latest


def _merge_composed_directive_defs(state: MergeState) -> tuple[dict[str, SDirectiveDef], list[str]]:
    """Definitions of composed directives and the ``@link`` applications of their specifications.

    As Apollo does, a definition is taken from the last subgraph (in name order) that links the specification at
    its latest version and defines the directive; the link imports every composed directive of the specification
    in the order they were first composed."""
    latest = _latest_features(state)
    result: dict[str, SDirectiveDef] = {}
    imports: dict[str, list[str]] = {}
    for name in _composed_names(state):
        link = next((lk for s in state.subgraphs if (lk := _feature_of(s, name)) is not None), None)
        if link is None or link.identity not in latest:
            continue
        imports.setdefault(link.identity, []).append(name)
        definition = None
        for subgraph in reversed(state.subgraphs):
            own = next((lk for lk in subgraph.links if lk.identity == link.identity), None)
            if own is None or (own.major, own.minor) != latest[link.identity]:
                continue
            spec_name = next((k for k, v in link.imports.items() if v == name), name)
            local = own.imports.get(spec_name, f"{own.prefix}__{spec_name}")
            definition = subgraph.directive_defs.get(local)
            if definition is not None:
                break
        if definition is None:
            state.error("DIRECTIVE_COMPOSITION_ERROR", f'Composed directive "@{name}" has no definition')
            continue
        dest = SDirectiveDef(name, definition.description, [], definition.repeatable, list(definition.locations))
        for arg_name, arg in definition.args.items():
            merged = merge_argument(state, [arg], f"@{name}({arg_name}:)")
            merged.name = arg_name
            dest.args.append(merged)
        result[name] = dest
    links = []
    for identity, names in imports.items():
        url = next(
            lk.url
            for s in state.subgraphs
            for lk in s.links
            if lk.identity == identity and (lk.major, lk.minor) == latest[identity]
        )
        links.append(f"@link(url: {print_string(url)}, import: [{', '.join(print_string('@' + n) for n in names)}])")
    return result, links


def _assemble(
    state: MergeState, roots: dict[str, str], composed: dict[str, SDirectiveDef], composed_links: list[str]
) -> Supergraph:
    federation = max(s.federation.version for s in state.subgraphs)
    version = join_version(federation)
    graphs = [Graph(state.graph(i), s.name, s.url) for i, s in enumerate(state.subgraphs)]
    links = [
        '@link(url: "https://specs.apollo.dev/link/v1.0")',
        f'@link(url: "https://specs.apollo.dev/join/v{version[0]}.{version[1]}", for: EXECUTION)',
        *composed_links,
    ]
    directive_defs = {d.name: d for d in join_directive_defs(version)}
    directive_defs.update(composed)
    types = dict(state.types)
    types.update({t.name: t for t in join_types(version, graphs)})
    return Supergraph(
        join_version=f"v{version[0]}.{version[1]}",
        graphs=graphs,
        links=links,
        roots=roots,
        directive_defs=directive_defs,
        types=types,
    )
