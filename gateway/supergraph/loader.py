"""Load a supergraph SDL (Apollo join spec v0.2–v0.5) into a :class:`Supergraph`.

The join directives say which subgraph resolves which type and field, the keys, and ``@requires`` /
``@provides`` / ``@external``; the composed ``@personalData(category:)`` gives each field's category.
All of this is read once at start-up so that no request does schema work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    OperationDefinitionNode,
    SelectionSetNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
    parse,
    value_from_ast_untyped,
)

from ..config import GatewaySettings
from .api_schema import build_api_schema
from .model import FieldInGraph, FieldMeta, Key, SubgraphInfo, Supergraph, TypeMeta

CATEGORY_DIRECTIVE = "personalData"

_COMPOSITE_DEFS = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
)


class SupergraphError(ValueError):
    """The SDL is not a usable supergraph."""


def parse_field_set(fields: str) -> SelectionSetNode:
    """Parse a join field set (``"id org { id }"``) into a selection set."""
    op = parse("{" + fields + "}", no_location=True).definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    return op.selection_set


def _args(directive: DirectiveNode) -> dict[str, Any]:
    return {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments}


def _graph_names(document: DocumentNode) -> dict[str, SubgraphInfo]:
    """``join__Graph`` enum value name -> subgraph."""
    graphs: dict[str, SubgraphInfo] = {}
    for definition in document.definitions:
        if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == "join__Graph":
            for value in definition.values or ():
                for d in value.directives or ():
                    if d.name.value == "join__graph":
                        args = _args(d)
                        graphs[value.name.value] = SubgraphInfo(value.name.value, args["name"], args.get("url", ""))
    if not graphs:
        raise SupergraphError("no join__Graph enum: is this a supergraph written by `python -m gateway compose`?")
    return graphs


def _read_type(meta: TypeMeta, node: Any, graphs: dict[str, SubgraphInfo], types: dict[str, TypeMeta]) -> None:
    for d in node.directives or ():
        name = d.name.value
        if name == "join__type":
            args = _args(d)
            graph = graphs[args["graph"]].name
            if graph not in meta.graphs:
                meta.graphs.append(graph)
            if args.get("key"):
                meta.keys.setdefault(graph, []).append(
                    Key(args["key"], parse_field_set(args["key"]), args.get("resolvable", True) is not False)
                )
            if args.get("isInterfaceObject"):
                meta.interface_object_in.add(graph)
        elif name == "join__unionMember":
            args = _args(d)
            meta.members.setdefault(graphs[args["graph"]].name, set()).add(args["member"])
        elif name == "join__implements":
            args = _args(d)
            iface = types.setdefault(args["interface"], TypeMeta(name=args["interface"]))
            iface.members.setdefault(graphs[args["graph"]].name, set()).add(meta.name)
    if isinstance(node, _COMPOSITE_DEFS):
        for fnode in node.fields or ():
            fmeta = meta.fields.setdefault(fnode.name.value, FieldMeta(fnode.name.value))
            for d in fnode.directives or ():
                if d.name.value != "join__field":
                    continue
                args = _args(d)
                if "graph" not in args or args["graph"] is None:
                    continue  # a field no subgraph resolves directly (interface objects): falls back to type graphs
                fmeta.graphs[graphs[args["graph"]].name] = FieldInGraph(
                    external=bool(args.get("external")),
                    requires=parse_field_set(args["requires"]) if args.get("requires") else None,
                    provides=parse_field_set(args["provides"]) if args.get("provides") else None,
                    used_overridden=bool(args.get("usedOverridden")),
                )


def _categories(document: DocumentNode) -> dict[str, str]:
    categories: dict[str, str] = {}
    for definition in document.definitions:
        if isinstance(definition, _COMPOSITE_DEFS):
            for fnode in definition.fields or ():
                for d in fnode.directives or ():
                    if d.name.value == CATEGORY_DIRECTIVE:
                        category = _args(d).get("category")
                        if category:
                            categories[f"{definition.name.value}.{fnode.name.value}"] = str(category)
    return categories


def load_supergraph_sdl(sdl: str) -> Supergraph:
    """Build the :class:`Supergraph` from supergraph SDL text."""
    try:
        document = parse(sdl, no_location=True)
        schema = build_ast_schema(document, assume_valid_sdl=True)
    except Exception as exc:  # graphql-core raises GraphQLError / TypeError on malformed SDL
        raise SupergraphError(f"cannot read the supergraph SDL: {exc}") from exc
    by_enum = _graph_names(document)
    types: dict[str, TypeMeta] = {}
    kinds = (*_COMPOSITE_DEFS, UnionTypeDefinitionNode, UnionTypeExtensionNode, EnumTypeDefinitionNode)
    for definition in document.definitions:
        if isinstance(definition, kinds) and not definition.name.value.startswith(("join__", "link__")):
            meta = types.setdefault(definition.name.value, TypeMeta(name=definition.name.value))
            _read_type(meta, definition, by_enum, types)
    api_schema = build_api_schema(document)
    return Supergraph(
        sdl=sdl,
        schema=schema,
        api_schema=api_schema,
        graphs={g.name: g for g in by_enum.values()},
        types=types,
        categories=_categories(document),
    )


def load_supergraph(path: Path | str, settings: GatewaySettings | None = None) -> Supergraph:
    """Load the supergraph file at ``path``, applying the subgraph URL overrides of ``settings``."""
    path = Path(path)
    try:
        sdl = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SupergraphError(f"no supergraph at {path}: run `python -m gateway compose` first") from exc
    supergraph = load_supergraph_sdl(sdl)
    if settings is not None:
        supergraph.graphs = {
            name: SubgraphInfo(info.enum_name, name, settings.subgraph_url(name, info.url))
            for name, info in supergraph.graphs.items()
        }
    return supergraph
