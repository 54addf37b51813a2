"""Federation 1 supergraphs (join v0.1, ``@core``): say explicitly what the old format leaves implicit.

In join v0.1 a field without ``@join__field`` belongs to the type's ``@join__owner``, or, on a value type (no
``@join__type`` at all), to every subgraph where the type is reachable; key fields are resolvable by every
subgraph declaring the key, and the fields a ``requires``/``provides`` names are external in that subgraph. This
module writes those rules into the :class:`TypeMeta` so that planning reads Federation 1 and 2 supergraphs the
same way (the rules are those of Apollo's own extraction of subgraphs from a Federation 1 supergraph).
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    FieldNode,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)

from .model import FieldInGraph, FieldMeta, TypeMeta


def complete_fed1(types: dict[str, TypeMeta], schema: GraphQLSchema, graphs: list[str]) -> None:
    """Fill in owners' fields, value types' graphs, key, requires and provides fields (in place)."""
    for meta in types.values():
        if meta.owner is not None:
            for fmeta in meta.fields.values():
                if not fmeta.graphs:
                    fmeta.graphs[meta.owner] = FieldInGraph()
    reachable = {graph: _reachable(types, schema, graph) for graph in graphs}
    for meta in types.values():
        if not meta.graphs:
            meta.graphs = [g for g in graphs if meta.name in reachable[g]]
    for meta in types.values():
        _value_type_fields(meta, types, schema)
    for meta in types.values():
        for graph, keys in meta.keys.items():
            for key in keys:
                _mark(types, schema, meta.name, key.selection, graph, external=False)
        for fmeta in list(meta.fields.values()):
            for graph, info in list(fmeta.graphs.items()):
                if info.requires is not None:
                    _mark(types, schema, meta.name, info.requires, graph, external=True)
                if info.provides is not None:
                    target = _field_type(schema, meta.name, fmeta.name)
                    if target is not None:
                        _mark(types, schema, target.name, info.provides, graph, external=True)


def _in_graph(types: dict[str, TypeMeta], type_name: str, field_name: str, graph: str) -> bool:
    meta = types.get(type_name)
    fmeta = meta.fields.get(field_name) if meta else None
    if fmeta is None or not fmeta.graphs:
        return True  # a value type's field is wherever the type is
    return graph in fmeta.graphs


def _selection_types(schema: GraphQLSchema, parent: str, selection: SelectionSetNode | None) -> Iterator[str]:
    """Names of the types a field set reaches from ``parent``."""
    for node in selection.selections if selection else ():
        if isinstance(node, FieldNode):
            target = _field_type(schema, parent, node.name.value)
            if target is not None:
                yield target.name
                yield from _selection_types(schema, target.name, node.selection_set)
        elif isinstance(node, InlineFragmentNode):
            name = node.type_condition.name.value if node.type_condition else parent
            yield name
            yield from _selection_types(schema, name, node.selection_set)


def _reachable(types: dict[str, TypeMeta], schema: GraphQLSchema, graph: str) -> set[str]:
    """Types present in ``graph`` as Federation 1 saw it: reachable from the roots and the graph's entities."""
    stack = [t.name for t in (schema.query_type, schema.mutation_type, schema.subscription_type) if t]
    for meta in types.values():
        if meta.keys.get(graph):
            stack.append(meta.name)
            for key in meta.keys[graph]:
                stack.extend(_selection_types(schema, meta.name, key.selection))
        for fmeta in meta.fields.values():
            info = fmeta.graphs.get(graph)
            if info is not None:
                stack.extend(_selection_types(schema, meta.name, info.requires))
                target = _field_type(schema, meta.name, fmeta.name)
                if target is not None and info.provides is not None:
                    stack.extend(_selection_types(schema, target.name, info.provides))
    seen: set[str] = set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        named = schema.get_type(name)
        if isinstance(named, GraphQLInterfaceType):
            stack.extend(t.name for t in schema.get_possible_types(named))
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            stack.extend(i.name for i in named.interfaces)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, f in named.fields.items():
                if _in_graph(types, name, field_name, graph):
                    stack.append(get_named_type(f.type).name)
                    stack.extend(get_named_type(a.type).name for a in getattr(f, "args", {}).values())
        elif isinstance(named, GraphQLUnionType):
            stack.extend(t.name for t in named.types)
    return seen


def _value_type_fields(meta: TypeMeta, types: dict[str, TypeMeta], schema: GraphQLSchema) -> None:
    """A value type's field is in the type's graphs that also have the field's type."""
    if meta.owner is not None:
        return
    for fmeta in meta.fields.values():
        if fmeta.graphs:
            continue
        target = _field_type(schema, meta.name, fmeta.name)
        target_meta = types.get(target.name) if target is not None else None
        if target_meta is None or not target_meta.graphs:
            continue  # a built-in scalar: everywhere
        present = [g for g in meta.graphs if g in target_meta.graphs]
        if present != meta.graphs:
            fmeta.graphs = {g: FieldInGraph() for g in present}


def _mark(types: dict[str, TypeMeta], schema: GraphQLSchema, parent: str, selection: SelectionSetNode,
          graph: str, *, external: bool) -> None:
    """Make the fields of ``selection`` known to ``graph``: resolvable (keys) or external (requires, provides)."""
    meta = types.get(parent)
    if meta is None:
        return
    type_graphs = list(meta.graphs)  # before this graph joins: a value type's fields are resolvable there
    if graph not in meta.graphs:
        meta.graphs.append(graph)
    for node in selection.selections:
        if isinstance(node, InlineFragmentNode) and node.type_condition is not None:
            _mark(types, schema, node.type_condition.name.value, node.selection_set, graph, external=external)
            continue
        if not isinstance(node, FieldNode) or node.name.value == "__typename":
            continue
        fmeta = meta.fields.setdefault(node.name.value, FieldMeta(node.name.value))
        if not fmeta.graphs:
            fmeta.graphs = {g: FieldInGraph() for g in type_graphs}
        info = fmeta.graphs.get(graph)
        if info is None:
            fmeta.graphs[graph] = FieldInGraph(external=external)
        elif not external:
            info.external = False  # Federation 1 key fields are never external where the key is declared
        target = _field_type(schema, parent, node.name.value)
        if node.selection_set is not None and target is not None:
            _mark(types, schema, target.name, node.selection_set, graph, external=external)


def _field_type(schema: GraphQLSchema, parent: str, field_name: str) -> GraphQLNamedType | None:
    named = schema.get_type(parent)
    fields = getattr(named, "fields", None)
    if not fields or field_name not in fields:
        return None
    return get_named_type(fields[field_name].type)
