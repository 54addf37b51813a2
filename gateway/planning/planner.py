"""The query planner: split a client operation into subgraph fetches.

Root fields are grouped by the subgraph resolving them (one fetch per subgraph; in order for mutations). Within
a fetch, a field the current subgraph cannot resolve becomes an *entity hop*: the key fields (and ``__typename``)
are added to the current selection, and a dependent fetch ``_entities(representations:)`` to a subgraph that can
resolve the field is created for the objects at that response path. Hops from the same fetch, at the same path,
to the same subgraph share one fetch, so a list of any length costs one call per subgraph per level.
``@requires`` fields are fetched at the parent level and sent in the representation; ``@provides`` lets a
subgraph resolve otherwise external fields below the providing field; ``@shareable`` fields are taken from the
subgraph already being fetched. Abstract types are expanded into inline fragments per concrete type, so hops
work below interfaces and unions.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    print_ast,
)

from ..supergraph import Supergraph
from ..supergraph.documents import ParsedOperation
from .fieldsets import Provided, alias_arguments, merge_req_fields, provided_tree, req_fields, top_field_names
from .groups import Group, Groups, Part
from .interface_objects import InterfaceObjects, interface_objects, real_interface_graphs
from .keys import planner_keys, source_key
from .plan import EntityPart, FetchNode, ParallelNode, PlanNode, QueryPlan, ReqField, SequenceNode
from .selection import SelSet, collect_fields, sub_selections
from .shape import ShapeBuilder


class PlanningError(Exception):
    """The operation cannot be planned over this supergraph (a composition the planner does not support)."""


def _unwrap(gql_type: Any) -> tuple[Any, int]:
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


def _with_selections(node: FieldNode, selections: list[FieldNode]) -> FieldNode:
    """``node`` (alias, arguments, directives kept) selecting only ``selections``."""
    return FieldNode(alias=node.alias, name=node.name, arguments=node.arguments, directives=node.directives,
                     selection_set=SelectionSetNode(selections=tuple(selections)))


class _Build:
    """State of one planning run."""

    def __init__(self, supergraph: Supergraph, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any], reserved: frozenset[str], io: InterfaceObjects) -> None:
        self.sg = supergraph
        self.io = io
        self.reserved = reserved
        # The full supergraph schema, not the API schema: key and @requires field sets may name @inaccessible
        # types and fields. Client operations were validated against the API schema already.
        self.schema = supergraph.schema
        self.fragments = fragments
        self.variables = variables
        self.groups = Groups()
        self._touched: list[set[int]] = []  # groups that received fields, per open `tracked` block
        self._routing: set[tuple[str, str]] = set()  # (type, field) whose key is being fetched elsewhere
        self.roots: list[Group] = []  # root-field fetches, in the client's order

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
        if provided is not None and field_name in provided:
            return True
        return graph in self.resolvers(type_name, field_name)

    def sub_provided(self, graph: str, parent: str, name: str, provided: Provided | None) -> Provided | None:
        if provided is not None and name in provided:
            return provided[name]
        info = self.sg.type_meta(parent).field_in(name, graph)
        return provided_tree(info.provides) if info is not None and info.provides is not None else None

    @contextmanager
    def tracked(self) -> Iterator[set[int]]:
        """Collect the groups that receive fields inside the block (the fetches a later fetch must wait for)."""
        touched: set[int] = set()
        self._touched.append(touched)
        try:
            yield touched
        finally:
            self._touched.pop()

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
                named, _ = _unwrap(runtime.fields[name].type)
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
                named, _ = _unwrap(parent.fields[name].type)
                if not self.field_set_resolvable(graph, named, sel.selection_set,
                                                 self.sub_provided(graph, parent.name, name, provided)):
                    return False
        return True

    def choose(self, candidates: list[str], parent: Any, nodes: list[FieldNode], preferred: set[str]) -> list[str]:
        """``candidates`` best first: fewest fields left for other subgraphs, then already used, then order."""
        name = nodes[0].name.value
        definition = parent.fields.get(name) if hasattr(parent, "fields") else None
        named = _unwrap(definition.type)[0] if definition is not None else None

        def rank(item: tuple[int, str]) -> tuple[int, bool, int]:
            index, graph = item
            below = 0
            if named is not None and not is_leaf_type(named):
                below = self.unresolved(graph, named, sub_selections(nodes),
                                        self.sub_provided(graph, parent.name, name, None))
            return below, graph not in preferred, index

        return [g for _, g in sorted(enumerate(candidates), key=rank)]

    # ------------------------------------------------------------------------------------------ fields
    def plan_field(self, group: Group, parent: Any, key: str, nodes: list[FieldNode], target: SelSet,
                   path: tuple[str, ...], provided: Provided | None, client: bool = True, ready: bool = False
                   ) -> None:
        """Plan one field (all ``nodes`` of response ``key``) into ``target`` of ``group``, hopping to other
        subgraphs as needed. ``ready``: the field's @requires are already in the representation."""
        name = nodes[0].name.value
        if name != "__typename" and not self.can_resolve(group.graph, parent.name, name, provided):
            self.hop(group, parent, key, nodes, target, path, provided, client)
            return
        if name != "__typename" and not ready and (provided is None or name not in provided):
            info = self.sg.type_meta(parent.name).field_in(name, group.graph)
            if (info is not None and info.requires is not None
                    and not self.field_set_resolvable(group.graph, parent, info.requires, provided)
                    and self.keys_for(parent.name, name, group.graph)[0]):
                # This subgraph resolves the field only from a representation carrying what it requires:
                # fetch those first, then ask it again through _entities.
                self.hop(group, parent, key, nodes, target, path, provided, client, group.graph)
                return
        for touched in self._touched:
            touched.add(group.id)
        key = source_key(key, name, self.reserved)  # from here on: the key in subgraph operations
        if name == "__typename":
            target.add(key, name, client=client)
            return
        named, lists = _unwrap(parent.fields[name].type)
        composite = not is_leaf_type(named)
        elsewhere = self.better_elsewhere(group, parent, nodes, named, path, provided) if composite and not ready else None
        if elsewhere is not None:
            self.hop(group, parent, key, nodes, target, path, provided, client, elsewhere)
            return
        if composite and isinstance(named, GraphQLObjectType) and not self.sg.type_meta(named.name).keys:
            nodes = self.split_value_field(group, parent, key, nodes, named, target, path, provided, client)
        sel = target.add(key, name, tuple(nodes[0].arguments or ()), client=client, composite=composite)
        if not composite:
            return
        assert sel.children is not None
        info = self.sg.type_meta(parent.name).field_in(name, group.graph)
        if info is not None and info.type:
            # This subgraph declares another type here (an implementation where the supergraph has the
            # interface, say): plan its selection for that type; completion still follows the supergraph's.
            own = self.schema.get_type(info.type.strip("[]!"))
            if own is not None and own is not named:
                if is_abstract_type(named):
                    sel.children.add("__typename", "__typename", client=False)
                named = own
        self.plan_composite(group, named, sub_selections(nodes), sel.children, (*path, key, *("@",) * lists),
                            self.sub_provided(group.graph, parent.name, name, provided), client)

    def better_elsewhere(self, group: Group, parent: Any, nodes: list[FieldNode], named: Any,
                         path: tuple[str, ...], provided: Provided | None) -> str | None:
        """The subgraph this group already fetches the parent from that had better serve an object field this
        subgraph resolves (often only through @provides) with its whole selection, if any: one does when part of the selection
        would otherwise need a fetch of its own (``judge { title court { city } }``: ``court`` is provided here,
        ``city`` is not, and ``title`` already makes a fetch to the subgraph that has both)."""
        existing = self.groups.candidates(group, path)
        if not existing:
            return None
        name = nodes[0].name.value
        sets = sub_selections(nodes)
        if not self.unresolved(group.graph, named, sets, self.sub_provided(group.graph, parent.name, name, provided)):
            return None
        for graph in sorted(existing):
            if (graph in self.resolvers(parent.name, name) and self.keys_for(parent.name, name, graph)[0]
                    and not self.unresolved(graph, named, sets, self.sub_provided(graph, parent.name, name, None))):
                return graph
        return None

    def split_value_field(self, group: Group, parent: Any, key: str, nodes: list[FieldNode],
                          named: GraphQLObjectType, target: SelSet, path: tuple[str, ...],
                          provided: Provided | None, client: bool) -> list[FieldNode]:
        """A field of a value type (no key: it cannot be fetched again by itself) whose sub-fields this subgraph
        cannot all resolve: the same field is also fetched from the other subgraphs that resolve it, each for
        the sub-fields it has (a shared root field, or a @shareable field of an entity). Returns the nodes to
        plan here (the sub-fields this subgraph resolves)."""
        name = nodes[0].name.value
        sub_provided = self.sub_provided(group.graph, parent.name, name, provided)
        here: list[FieldNode] = []
        elsewhere: dict[str, list[FieldNode]] = {}
        candidates = [g for g in self.resolvers(parent.name, name) if g != group.graph]
        for sub_nodes in self.collect(named, sub_selections(nodes)).values():
            sub_name = sub_nodes[0].name.value
            if sub_name == "__typename" or self.can_resolve(group.graph, named.name, sub_name, sub_provided):
                here.extend(sub_nodes)
                continue
            graph = next((g for g in candidates if self.can_resolve(g, named.name, sub_name, None)), None)
            if graph is None:
                here.extend(sub_nodes)  # nobody else has it either: planning it here reports the problem
                continue
            elsewhere.setdefault(graph, []).extend(sub_nodes)
        if not elsewhere:
            return nodes
        for graph, sub_nodes in elsewhere.items():
            part = [_with_selections(nodes[0], sub_nodes)]
            if parent is self.schema.query_type and not group.entity and not path:
                other = next((g for g in self.roots if g.graph == graph), None)
                if other is None:
                    other = self.groups.new(graph, False, ())
                    self.roots.append(other)
                self.plan_field(other, parent, key, part, other.selset, (), None, client)
            else:
                self.hop(group, parent, key, part, target, path, provided, client, graph)
        return [_with_selections(nodes[0], here)]

    def plan_composite(self, group: Group, named: Any, sets: list[SelectionSetNode], selset: SelSet,
                       path: tuple[str, ...], provided: Provided | None, client: bool = True) -> None:
        if isinstance(named, GraphQLObjectType):
            for key, nodes in self.collect(named, sets).items():
                self.plan_field(group, named, key, nodes, selset, path, provided, client)
            return
        if isinstance(named, GraphQLInterfaceType) and self.io.is_object_in(named.name, group.graph):
            self.plan_interface_object(group, named, sets, selset, path, provided, client)
            return
        # Abstract: the runtime type decides the fields, so select per concrete type (and __typename to know it),
        # except leaf fields every concrete type selects alike and this subgraph resolves on the interface itself:
        # those are selected once at interface level (14 civil status event types each repeating them doubled
        # the subgraph's work).
        selset.add("__typename", "__typename", client=False)
        per_type: dict[str, tuple[GraphQLObjectType, dict[str, list[FieldNode]]]] = {}
        for type_name in self.possible(named.name, group.graph):
            runtime = self.schema.get_type(type_name)
            assert isinstance(runtime, GraphQLObjectType)
            per_type[type_name] = (runtime, self.collect(runtime, sets))
        shared = self._shared_leaves(group, named, per_type, provided)
        for key, nodes in shared.items():
            name = nodes[0].name.value
            definition = named.fields.get(name)
            if definition is not None and not is_leaf_type(get_named_type(definition.type)):
                self.plan_field(group, named, key, nodes, selset, path, provided, client)
                continue
            selset.add(source_key(key, name, self.reserved), name, tuple(nodes[0].arguments or ()), client=client)
        for type_name, (runtime, fields) in per_type.items():
            rest = {key: nodes for key, nodes in fields.items() if key not in shared}
            if all(nodes[0].name.value == "__typename" and key == "__typename" for key, nodes in rest.items()):
                continue  # nothing beyond the __typename and shared fields already selected above
            fragment = selset.fragment(type_name)
            for key, nodes in rest.items():
                self.plan_field(group, runtime, key, nodes, fragment, path, provided, client)

    def _local_leaves(self, group: Group, definition: Any, nodes: list[FieldNode]) -> bool:
        """An object-typed field whose sub-selection is only leaves ``group``'s subgraph resolves (no provides)."""
        target = get_named_type(definition.type)
        if not isinstance(target, GraphQLObjectType):
            return False
        for key, sub in self.collect(target, sub_selections(nodes)).items():
            name = sub[0].name.value
            if name == "__typename":
                continue
            field_def = target.fields.get(name)
            if (field_def is None or not is_leaf_type(get_named_type(field_def.type)) or key != name
                    or not self.can_resolve(group.graph, target.name, name, None)):
                return False
        return True

    def _shared_leaves(self, group: Group, named: Any,
                       per_type: dict[str, tuple[GraphQLObjectType, dict[str, list[FieldNode]]]],
                       provided: Provided | None) -> dict[str, list[FieldNode]]:
        """Fields of interface ``named`` selected by the very same nodes for every concrete type, all of which (and
        the interface) ``group``'s subgraph resolves: leaves, and object fields whose selection is leaves this
        subgraph resolves too (an event's ``subject { personalId }``: no hop below)."""
        if not isinstance(named, GraphQLInterfaceType) or not per_type:
            return {}
        first = next(iter(per_type.values()))[1]
        shared: dict[str, list[FieldNode]] = {}
        for key, nodes in first.items():
            name = nodes[0].name.value
            ids = [id(node) for node in nodes]
            if name == "__typename":  # an aliased __typename; the plain one is always selected above
                if key != name and all(key in fields and [id(n) for n in fields[key]] == ids
                                       for _, fields in per_type.values()):
                    shared[key] = nodes
                continue
            definition = named.fields.get(name)
            if definition is None:
                continue
            if not is_leaf_type(get_named_type(definition.type)) and not self._local_leaves(group, definition, nodes):
                continue
            if not self.can_resolve(group.graph, named.name, name, provided):
                continue
            if all(key in fields and [id(node) for node in fields[key]] == ids
                   and self.can_resolve(group.graph, type_name, name, provided)
                   for type_name, (_, fields) in per_type.items()):
                shared[key] = nodes
        return shared

    def add_plain(self, graph: str, target: SelSet, parent: Any, selection: SelectionSetNode) -> None:
        """Add a field set (a key) that ``graph`` resolves itself, fragments included."""
        for sel in selection.selections:
            if isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else parent.name
                if isinstance(parent, GraphQLObjectType):
                    self.add_plain(graph, target, parent, sel.selection_set)
                    continue
                applies = set(self.possible(cond, graph)) if cond != parent.name else None
                for type_name in self.possible(parent.name, graph):
                    if applies is None or type_name in applies:
                        self.add_plain(graph, target.fragment(type_name), self.schema.get_type(type_name),
                                       sel.selection_set)
                continue
            if not isinstance(sel, FieldNode):
                continue
            name = sel.name.value
            if name == "__typename":
                target.add(name, name, client=False)
                continue
            named, _ = _unwrap(parent.fields[name].type)
            child = target.add(name, name, tuple(sel.arguments or ()), client=False,
                               composite=sel.selection_set is not None)
            if sel.selection_set is not None and child.children is not None:
                if is_abstract_type(named):
                    child.children.add("__typename", "__typename", client=False)
                self.add_plain(graph, child.children, named, sel.selection_set)

    def plan_interface_object(self, group: Group, iface: GraphQLInterfaceType, sets: list[SelectionSetNode],
                              selset: SelSet, path: tuple[str, ...], provided: Provided | None,
                              client: bool) -> None:
        """An interface that ``group``'s subgraph sees as an @interfaceObject: its objects have no concrete type
        there. Fields without type condition are planned on the interface; ``__typename`` and fields under type
        conditions are fetched from a subgraph where the interface is real, which tells the concrete type."""
        own = self.collect(iface, sets)
        typename = any(nodes[0].name.value == "__typename" for nodes in own.values())
        extra: dict[str, dict[str, list[FieldNode]]] = {}
        for runtime in self.schema.get_possible_types(iface):
            rest = {k: v for k, v in self.collect(runtime, sets).items() if k not in own}
            if rest:
                extra[runtime.name] = rest
        for key, nodes in own.items():
            if nodes[0].name.value != "__typename":
                self.plan_field(group, iface, key, nodes, selset, path, provided, client)
        if not (extra or typename):
            return
        preferred = self.groups.candidates(group, path)
        graphs = sorted(real_interface_graphs(self.sg, iface), key=lambda g: g not in preferred)
        for graph in graphs:
            key = next((k for k in self.sg.type_meta(iface.name).resolvable_keys(graph)
                        if self.field_set_resolvable(group.graph, iface, k.selection, provided)), None)
            if key is not None:
                break
        else:
            raise PlanningError(f"no subgraph can tell the concrete type of {iface.name} objects from "
                                f"'{group.graph}' (an @interfaceObject there)")
        self.add_plain(group.graph, selset, iface, key.selection)
        child = self.groups.entity_group(group, graph, path, {group.id})
        part = child.parts.get(iface.name)
        if part is None:
            part = child.parts[iface.name] = Part(key_fields=top_field_names(key.selection), typename=iface.name)
            part.field_sets.append(("key", key.selection))
        part.selset.add("__typename", "__typename", client=False)
        for touched in self._touched:
            touched.add(child.id)
        known = set(self.possible(iface.name, graph))
        for type_name, rest in extra.items():
            if type_name not in known:
                continue  # that subgraph never returns this type: the fields can never apply
            runtime = self.schema.get_type(type_name)
            fragment = part.selset.fragment(type_name)
            for rkey, nodes in rest.items():
                self.plan_field(child, runtime, rkey, nodes, fragment, path, None, client)

    def plan_field_set(self, group: Group, parent: Any, selection: SelectionSetNode, target: SelSet,
                       path: tuple[str, ...], provided: Provided | None) -> None:
        """Select a field set (@requires, or a key held by other subgraphs) at this level, hopping if need be."""
        for key, nodes in self.collect(parent, [selection]).items():
            self.plan_field(group, parent, key, nodes, target, path, provided, client=False)

    # ------------------------------------------------------------------------------------------ hops
    def route(self, group: Group, parent: Any, nodes: list[FieldNode], path: tuple[str, ...],
              provided: Provided | None, only: str | None = None) -> tuple[str, Any, bool, str]:
        """(subgraph, key, whether ``group`` holds the key itself, __typename to send) for fetching a field
        ``group`` cannot resolve."""
        name = nodes[0].name.value
        candidates = [g for g in self.resolvers(parent.name, name)
                      if (g != group.graph or only == g) and self.keys_for(parent.name, name, g)[0]
                      and only in (None, g)]
        if not candidates:
            raise PlanningError(
                f"cannot plan {parent.name}.{name} from subgraph '{group.graph}': no subgraph resolving it can "
                f"fetch {parent.name} by key"
            )
        ordered = self.choose(candidates, parent, nodes, self.groups.candidates(group, path))
        for graph in ordered:
            keys, send_as = self.keys_for(parent.name, name, graph)
            for key in keys:
                if self.field_set_resolvable(group.graph, parent, key.selection, provided):
                    return graph, key, True, send_as
        # No key this subgraph holds: fetch one through another subgraph first (guarded against loops).
        for graph in ordered:
            keys, send_as = self.keys_for(parent.name, name, graph)
            for key in keys:
                if all(self.resolvers(parent.name, f) for f in top_field_names(key.selection)):
                    return graph, key, False, send_as
        raise PlanningError(f"subgraph '{group.graph}' cannot provide a key of {parent.name} for {name}")

    def hop(self, group: Group, parent: Any, key: str, nodes: list[FieldNode], target: SelSet,
            path: tuple[str, ...], provided: Provided | None, client: bool, only: str | None = None) -> Group:
        name = nodes[0].name.value
        graph, entity_key, direct, send_as = self.route(group, parent, nodes, path, provided, only)
        deps = {group.id}
        if direct:
            self.add_plain(group.graph, target, parent, entity_key.selection)
        else:
            guard = (parent.name, name)
            if guard in self._routing:
                raise PlanningError(f"no subgraph can provide a key of {parent.name} to fetch {name}")
            self._routing.add(guard)
            try:
                with self.tracked() as touched:
                    self.plan_field_set(group, parent, entity_key.selection, target, path, provided)
            finally:
                self._routing.discard(guard)
            deps |= touched
        if not self.io.is_object_in(parent.name, group.graph):  # (an interface object's __typename is no use)
            target.add("__typename", "__typename", client=False)
        info = self.sg.type_meta(send_as).field_in(name, graph)
        requires = info.requires if info is not None else None
        if requires is not None:
            # Required fields are selected at this level like client fields (hopping if need be); the dependent
            # fetch then waits for every fetch that brings part of them.
            with self.tracked() as touched:
                self.plan_field_set(group, parent, alias_arguments(requires), target, path, provided)
            deps |= touched
        child = self.groups.entity_group(group, graph, path, deps)
        part = child.parts.get(parent.name)
        if part is None:
            part = child.parts[parent.name] = Part(key_fields=top_field_names(entity_key.selection),
                                                   typename=send_as)
            part.field_sets.append(("key", entity_key.selection))
        if requires is not None and all(fs is not requires for _, fs in part.field_sets):
            part.field_sets.append(("requires", requires))
        for touched_set in self._touched:
            touched_set.add(child.id)
        self.plan_field(child, parent, key, nodes, part.selset, path, None, client, ready=True)
        return child

    def entity_part(self, type_name: str, part: Part) -> EntityPart:
        parent = self.schema.get_type(type_name)
        fields: list[ReqField] = [ReqField("__typename")]
        for _, selection in part.field_sets:
            fields.extend(req_fields(self.schema, parent, selection))  # type: ignore[arg-type]
        return EntityPart(tuple(merge_req_fields(fields)), part.key_fields, part.typename or type_name)


class Planner:
    """Plans operations over one supergraph (stateless between calls; cache plans with :class:`PlanCache`)."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.reserved = planner_keys(supergraph)  # response keys the planner may add itself
        self.io = interface_objects(supergraph)

    def plan(self, operation: ParsedOperation, variables: dict[str, Any] | None = None) -> QueryPlan:
        """Plan ``operation``; ``variables`` only decide ``@skip``/``@include``."""
        variables = variables or {}
        build = _Build(self.supergraph, operation.fragments, variables, self.reserved, self.io)
        mutation = operation.operation_type == "mutation"
        root = build.schema.mutation_type if mutation else build.schema.query_type
        if root is None:
            raise PlanningError(f"the schema has no {operation.operation_type} type")
        roots = build.roots
        meta = self.supergraph.type_meta(root.name)
        for key, nodes in build.collect(root, [operation.operation.selection_set]).items():
            name = nodes[0].name.value
            if name in ("__typename", "__schema", "__type"):
                continue  # answered by the gateway itself
            candidates = meta.resolvers(name)
            if not candidates:
                raise PlanningError(f"no subgraph resolves {root.name}.{name}")
            if mutation:
                # Mutations run in the client's order: only consecutive fields of one subgraph share a fetch.
                preferred = {roots[-1].graph} if roots else set()
                graph = build.choose(candidates, root, nodes, preferred)[0]
                group = roots[-1] if roots and roots[-1].graph == graph else None
            else:
                graph = build.choose(candidates, root, nodes, {g.graph for g in roots})[0]
                group = next((g for g in roots if g.graph == graph), None)
            if group is None:
                group = build.groups.new(graph, False, ())
                roots.append(group)
            build.plan_field(group, root, key, nodes, group.selset, (), None)
        fetches = itertools.count()
        nodes_ = build.groups.nodes(roots, self._fetcher(build, operation, fetches))
        node: PlanNode | None
        if not nodes_:
            node = None
        elif len(nodes_) == 1:
            node = nodes_[0]
        elif mutation:
            node = SequenceNode(nodes_)
        else:
            node = ParallelNode(nodes_)
        api_root = self.supergraph.api_schema.mutation_type if mutation else self.supergraph.api_schema.query_type
        assert api_root is not None
        shape = ShapeBuilder(self.supergraph.api_schema, operation.fragments, variables, self.reserved).build(
            api_root, [operation.operation.selection_set], root=True
        )
        return QueryPlan(node, shape, operation.operation_type, operation.introspection, next(fetches))

    def _fetcher(self, build: _Build, operation: ParsedOperation,
                 fetches: itertools.count[int]) -> Callable[[Group], FetchNode]:
        return lambda group: self._fetch(build, group, operation, next(fetches))

    def _fetch(self, build: _Build, group: Group, operation: ParsedOperation, index: int) -> FetchNode:
        if group.entity:
            used: set[str] = set()
            for part in group.parts.values():
                part.selset.variables(used)
            fragments = " ".join(f"... on {part.typename or t} {part.selset.print()}" for t, part in group.parts.items())
            body = f"{{ _entities(representations: $representations) {{ {fragments} }} }}"
            client_keys = tuple(dict.fromkeys(
                f.key for part in group.parts.values() for f in part.selset.fields.values() if f.client
            ))
        else:
            used = group.selset.variables()
            body = group.selset.print()
            client_keys = tuple(f.key for f in group.selset.fields.values() if f.client)
        definitions = [d for d in operation.operation.variable_definitions or () if d.variable.name.value in used]
        var_defs = [print_ast(d) for d in definitions]
        kind = "query" if group.entity else operation.operation_type
        if group.entity:
            var_defs.insert(0, "$representations: [_Any!]!")
        header = kind
        if operation.operation_name:
            header += f" {operation.operation_name}__{group.graph.replace('-', '_')}__{index}"
        if var_defs:
            header += "(" + ", ".join(var_defs) + ")"
        return FetchNode(
            id=index,
            service=group.graph,
            operation=f"{header} {body}",
            operation_kind=kind,
            variable_usages=tuple(d.variable.name.value for d in definitions),
            client_keys=client_keys,
            entities={t: build.entity_part(t, p) for t, p in group.parts.items()},
            # objects of an @interfaceObject position carry no concrete __typename: they are of the interface
            assume_type=next((t for t in group.parts if isinstance(build.schema.get_type(t), GraphQLInterfaceType)), ""),
        )
