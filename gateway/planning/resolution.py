"""Which subgraph can resolve what, for one planning run: field resolvers (overrides, progressive labels,
@interfaceObject fields included), keys, possible types per subgraph, @provides, and the cheap cost estimate the
planner chooses between subgraphs with.

Everything is read against the full supergraph schema, not the API schema: key and @requires field sets may name
@inaccessible types and fields. Client operations were validated against the API schema already.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLList,
    GraphQLNonNull,
    InlineFragmentNode,
    SelectionSetNode,
    is_abstract_type,
    is_leaf_type,
)

from ..supergraph import Supergraph
from .fieldsets import Provided, provided_entry, provided_tree
from .interface_objects import InterfaceObjects
from .selection import collect_fields, sub_selections


def unwrap(gql_type: Any) -> tuple[Any, int]:
    lists = 0
    while isinstance(gql_type, GraphQLNonNull | GraphQLList):
        if isinstance(gql_type, GraphQLList):
            lists += 1
        gql_type = gql_type.of_type
    return gql_type, lists


def label_enabled(label: str) -> bool:
    """Is a progressive ``@override(label:)`` on? ``percent(100)`` always, ``percent(0)`` never; a partial
    percentage or a custom label is off (plans are cached per document: a coin flipped per request would need a
    plan per outcome), so the subgraph overridden keeps answering until the label reaches 100 %."""
    text = label.strip()
    if text.startswith("percent(") and text.endswith(")"):
        try:
            return float(text[len("percent("):-1]) >= 100
        except ValueError:
            return False
    return False


def _progressive_resolvers(graphs: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for graph, info in graphs.items():
        if info.external:
            continue
        if info.override_label:
            enabled = label_enabled(info.override_label)
            if (info.override is not None) == enabled:  # the overriding graph when on, the overridden when off
                out.append(graph)
        elif not info.used_overridden:
            out.append(graph)
    return out


class Resolution:
    """Who resolves what, for the fragments and variables of one operation."""

    def __init__(self, supergraph: Supergraph, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any], io: InterfaceObjects) -> None:
        self.sg = supergraph
        self.io = io
        self.schema = supergraph.schema
        self.fragments = fragments
        self.variables = variables

    def collect(self, runtime: Any, sets: list[SelectionSetNode]) -> dict[str, list[FieldNode]]:
        return collect_fields(self.schema, runtime, sets, self.fragments, self.variables)

    def possible(self, abstract: str, graph: str) -> list[str]:
        """Concrete types a field of type ``abstract`` may return when resolved by ``graph``."""
        everything = [t.name for t in self.schema.get_possible_types(self.schema.get_type(abstract))]  # type: ignore[arg-type]
        meta = self.sg.types.get(abstract)
        if meta is not None and graph in meta.members:
            allowed = meta.members[graph]
            return [t for t in everything if t in allowed]
        if meta is not None and meta.members:
            return []
        return [t for t in everything if graph in self.sg.type_meta(t).graphs]

    def resolvers(self, type_name: str, field_name: str) -> list[str]:
        """Graphs resolving ``type_name.field_name`` themselves (through an @interfaceObject if so declared)."""
        via = self.io.resolvers(type_name, field_name)
        if via is not None:
            return list(dict.fromkeys(graph for graph, _ in via))
        meta = self.sg.type_meta(type_name)
        field_meta = meta.fields.get(field_name)
        if field_meta is not None and any(info.override_label for info in field_meta.graphs.values()):
            return _progressive_resolvers(field_meta.graphs)
        return meta.resolvers(field_name)

    def keys_for(self, type_name: str, field_name: str, graph: str) -> tuple[list[Any], str]:
        """(resolvable keys, __typename to send) for fetching ``type_name`` objects from ``graph``."""
        for via_graph, iface in self.io.resolvers(type_name, field_name) or ():
            if via_graph == graph:
                return self.sg.type_meta(iface).resolvable_keys(graph), iface
        return self.sg.type_meta(type_name).resolvable_keys(graph), type_name

    def can_resolve(self, graph: str, type_name: str, field_name: str, provided: Provided | None) -> bool:
        if provided_entry(provided, type_name, field_name) is not None:
            return True
        return graph in self.resolvers(type_name, field_name)

    def sub_provided(self, graph: str, parent: str, name: str, provided: Provided | None) -> Provided | None:
        entry = provided_entry(provided, parent, name)
        if entry is not None:
            return entry
        info = self.sg.type_meta(parent).field_in(name, graph)
        if info is None or info.provides is None:
            return None
        definition = getattr(self.schema.get_type(parent), "fields", {}).get(name)
        named = unwrap(definition.type)[0].name if definition is not None else parent
        return provided_tree(self.schema, named, info.provides)

    # ------------------------------------------------------------------------------------------ cost
    def unresolved(self, graph: str, parent: Any, sets: list[SelectionSetNode], provided: Provided | None,
                   depth: int = 0) -> int:
        """How many fields below would need another subgraph if ``graph`` resolved this selection (a cheap
        stand-in for a plan's fetch count, used to choose between subgraphs that can all serve a field)."""
        if depth > 6:
            return 0
        count = 0
        runtimes = ([self.schema.get_type(t) for t in self.possible(parent.name, graph)]
                    if is_abstract_type(parent) else [parent])
        for runtime in runtimes:
            for nodes in self.collect(runtime, sets).values():
                name = nodes[0].name.value
                if name == "__typename":
                    continue
                if not self.can_resolve(graph, runtime.name, name, provided):
                    count += 1
                    continue
                named, _ = unwrap(runtime.fields[name].type)
                if not is_leaf_type(named):
                    count += self.unresolved(graph, named, sub_selections(nodes),
                                             self.sub_provided(graph, runtime.name, name, provided), depth + 1)
        return count

    def field_set_resolvable(self, graph: str, parent: Any, selection: SelectionSetNode,
                             provided: Provided | None) -> bool:
        """Can ``graph`` select the whole field set itself (provides included)?"""
        for sel in selection.selections:
            if isinstance(sel, InlineFragmentNode):
                cond = self.schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                if not self.field_set_resolvable(graph, cond, sel.selection_set, provided):
                    return False
                continue
            if not isinstance(sel, FieldNode) or sel.name.value == "__typename":
                continue
            name = sel.name.value
            if not self.can_resolve(graph, parent.name, name, provided):
                return False
            if sel.selection_set is not None:
                named, _ = unwrap(parent.fields[name].type)
                if not self.field_set_resolvable(graph, named, sel.selection_set,
                                                 self.sub_provided(graph, parent.name, name, provided)):
                    return False
        return True

    def choose(self, candidates: list[str], parent: Any, nodes: list[FieldNode], preferred: set[str]) -> list[str]:
        """``candidates`` best first: fewest fields left for other subgraphs, then already used, then order."""
        name = nodes[0].name.value
        definition = parent.fields.get(name) if hasattr(parent, "fields") else None
        named = unwrap(definition.type)[0] if definition is not None else None

        def rank(item: tuple[int, str]) -> tuple[int, bool, int]:
            index, graph = item
            below = 0
            if named is not None and not is_leaf_type(named):
                below = self.unresolved(graph, named, sub_selections(nodes),
                                        self.sub_provided(graph, parent.name, name, None))
            return below, graph not in preferred, index

        return [g for _, g in sorted(enumerate(candidates), key=rank)]

    # ------------------------------------------------------------------------------------------ fields
