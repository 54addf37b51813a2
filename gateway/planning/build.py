"""Planning one operation: fields into fetch groups, entity hops between subgraphs, @requires, @provides,
@interfaceObject positions, value-type fields split across subgraphs (see ``planner.py`` for the overview)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)

from ..supergraph import Supergraph
from .contexts import ContextError, Frame, context_field, context_var, nearest, with_context_arguments
from .fieldsets import (
    Provided,
    alias_arguments,
    merge_req_fields,
    provided_entry,
    req_fields,
    top_field_names,
)
from .groups import Group, Groups, Part
from .interface_objects import InterfaceObjects, real_interface_graphs
from .keys import source_key, typed_key
from .plan import EntityPart, ReqField
from .resolution import Resolution, unwrap
from .selection import SelSet, sub_selections


class PlanningError(Exception):
    """The operation cannot be planned over this supergraph (a composition the planner does not support)."""


def _with_selections(node: FieldNode, selections: list[FieldNode]) -> FieldNode:
    """``node`` (alias, arguments, directives kept) selecting only ``selections``."""
    return FieldNode(alias=node.alias, name=node.name, arguments=node.arguments, directives=node.directives,
                     selection_set=SelectionSetNode(selections=tuple(selections)))


class Build(Resolution):
    """State of one planning run."""

    def __init__(self, supergraph: Supergraph, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any], reserved: frozenset[str], io: InterfaceObjects,
                 retyped: frozenset[tuple[str, str]] = frozenset()) -> None:
        super().__init__(supergraph, fragments, variables, io)
        self.reserved = reserved
        self.retyped = retyped  # (type, field) some subgraph declares with another type (see keys.typed_key)
        self.groups = Groups()
        self._touched: list[set[int]] = []  # groups that received fields, per open `tracked` block
        self._routing: set[tuple[str, str]] = set()  # (type, field) whose key is being fetched elsewhere
        self.roots: list[Group] = []  # root-field fetches, in the client's order
        self.frames: list[Frame] = []  # object positions enclosing the field being planned (@fromContext)
        self.positions: list[Frame] = []  # every object position planned (reuse.py: where answers may already be)

    @contextmanager
    def tracked(self) -> Iterator[set[int]]:
        """Collect the groups that receive fields inside the block (the fetches a later fetch must wait for)."""
        touched: set[int] = set()
        self._touched.append(touched)
        try:
            yield touched
        finally:
            self._touched.pop()

    # ------------------------------------------------------------------------------------------ fields
    def plan_field(self, group: Group, parent: Any, key: str, nodes: list[FieldNode], target: SelSet,
                   path: tuple[str, ...], provided: Provided | None, client: bool = True, ready: bool = False,
                   fragment: bool = False) -> None:
        """Plan one field (all ``nodes`` of response ``key``) into ``target`` of ``group``, hopping to other
        subgraphs as needed. ``ready``: the field's @requires are already in the representation."""
        name = nodes[0].name.value
        if name != "__typename" and not self.can_resolve(group.graph, parent.name, name, provided):
            self.hop(group, parent, key, nodes, target, path, provided, client)
            return
        info = self.sg.type_meta(parent.name).field_in(name, group.graph) if name != "__typename" else None
        if not ready and provided_entry(provided, parent.name, name) is None:
            if (info is not None and (info.context_arguments or (
                    info.requires is not None
                    and not self.field_set_resolvable(group.graph, parent, info.requires, provided)))
                    and self.keys_for(parent.name, name, group.graph)[0]):
                # This subgraph resolves the field only from a representation carrying what it requires:
                # fetch those first, then ask it again through _entities.
                self.hop(group, parent, key, nodes, target, path, provided, client, group.graph)
                return
        for touched in self._touched:
            touched.add(group.id)
        key = source_key(key, name, self.reserved)  # from here on: the key in subgraph operations
        if fragment and client and (parent.name, name) in self.retyped and info is not None and info.type:
            key = typed_key(parent.name, key)  # its type here differs: beside other types' fields it cannot merge
        if name == "__typename":
            target.add(key, name, client=client)
            return
        named, lists = unwrap(parent.fields[name].type)
        composite = not is_leaf_type(named)
        elsewhere = (self.better_elsewhere(group, parent, nodes, named, path, provided)
                     if composite and client and not ready else None)  # (never for keys being fetched)
        if elsewhere is not None:
            self.hop(group, parent, key, nodes, target, path, provided, client, elsewhere)
            return
        if composite and isinstance(named, GraphQLObjectType):
            nodes = self.split_value_field(group, parent, key, nodes, named, target, path, provided, client)
        sel = target.add(key, name, tuple(nodes[0].arguments or ()), client=client, composite=composite)
        if not composite:
            return
        assert sel.children is not None
        if info is not None and info.type:
            # This subgraph declares another type here (an implementation where the supergraph has the
            # interface, say): plan its selection for that type; completion still follows the supergraph's.
            own = self.schema.get_type(info.type.strip("[]!"))
            if own is not None and own is not named:
                if is_abstract_type(named):
                    sel.children.add("__typename", "__typename", client=False)
                named = own
        child_path = (*path, key, *("@",) * lists)
        frame = Frame(child_path, named.name, group, sel.children)
        self.frames.append(frame)
        self.positions.append(frame)
        try:
            self.plan_composite(group, named, sub_selections(nodes), sel.children, child_path,
                                self.sub_provided(group.graph, parent.name, name, provided), client)
        finally:
            self.frames.pop()

    def better_elsewhere(self, group: Group, parent: Any, nodes: list[FieldNode], named: Any,
                         path: tuple[str, ...], provided: Provided | None) -> str | None:
        """The subgraph this group already fetches the parent from that had better serve an object field this
        subgraph resolves (often only through @provides) with its whole selection, if any: one does when part
        of the selection would otherwise need a fetch of its own (``judge { title court { city } }``: ``court`` is provided here,
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
        """An object field whose sub-fields this subgraph cannot all resolve, and cannot reach by the object's
        own key either (a value type, or a type with no key this subgraph holds for the subgraph that has the
        sub-field): the same field is also fetched, through its parent, from the other subgraphs that resolve
        it, each for the sub-fields it has (a shared root field, a @shareable field of an entity). Returns the
        nodes to plan here (the sub-fields this subgraph resolves, or reaches by key)."""
        name = nodes[0].name.value
        sub_provided = self.sub_provided(group.graph, parent.name, name, provided)
        here: list[FieldNode] = []
        elsewhere: dict[str, list[FieldNode]] = {}
        root = parent is self.schema.query_type and not group.entity and not path
        candidates = [g for g in self.resolvers(parent.name, name)
                      if g != group.graph and (root or self.keys_for(parent.name, name, g)[0])]
        if not candidates:
            return nodes
        for sub_nodes in self.collect(named, sub_selections(nodes)).values():
            sub_name = sub_nodes[0].name.value
            if sub_name == "__typename" or self.can_resolve(group.graph, named.name, sub_name, sub_provided):
                here.extend(sub_nodes)
                continue
            graph = next((g for g in candidates if self.can_resolve(g, named.name, sub_name, None)), None)
            if graph is not None and root:
                # A shared root field: asking the other subgraph's root directly runs in parallel, where an
                # entity hop would wait and cost a fetch per path.
                elsewhere.setdefault(graph, []).extend(sub_nodes)
                continue
            if self.reachable_by_key(group.graph, named, sub_name, sub_provided):
                here.extend(sub_nodes)
                continue
            if graph is None:  # a subgraph that has the object's key for the one that has the sub-field
                graph = next((g for g in candidates if self.reachable_by_key(g, named, sub_name, None)), None)
            if graph is None:
                here.extend(sub_nodes)  # nobody else has it either: planning it here reports the problem
                continue
            elsewhere.setdefault(graph, []).extend(sub_nodes)
        if not elsewhere:
            return nodes
        for graph, sub_nodes in elsewhere.items():
            part = [_with_selections(nodes[0], sub_nodes)]
            if root:
                other = next((g for g in self.roots if g.graph == graph), None)
                if other is None:
                    other = self.groups.new(graph, False, ())
                    self.roots.append(other)
                self.plan_field(other, parent, key, part, other.selset, (), None, client)
            else:
                self.hop(group, parent, key, part, target, path, provided, client, graph)
        return [_with_selections(nodes[0], here)]

    def reachable_by_key(self, graph: str, named: GraphQLObjectType, field_name: str,
                         provided: Provided | None, depth: int = 0) -> bool:
        """Can ``graph`` hop to a subgraph resolving ``named.field_name`` by a key of ``named`` it holds, or
        whose fields it can itself fetch by another key first (``pid`` through the subgraph keyed by ``id``)?"""
        for target in self.resolvers(named.name, field_name):
            for key in self.keys_for(named.name, field_name, target)[0]:
                if self.field_set_resolvable(graph, named, key.selection, provided):
                    return True
                if depth < 2 and all(
                        isinstance(sel, FieldNode) and (
                            self.can_resolve(graph, named.name, sel.name.value, provided)
                            or self.reachable_by_key(graph, named, sel.name.value, provided, depth + 1))
                        for sel in key.selection.selections):
                    return True
        return False

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
                self.plan_field(group, runtime, key, nodes, fragment, path, provided, client, fragment=True)

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
                   and (type_name, name) not in self.retyped
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
            named, _ = unwrap(parent.fields[name].type)
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
            part.field_sets.append(key.selection)
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
                if (self.field_set_resolvable(group.graph, parent, key.selection, provided)
                        or self.in_representation(group, parent, path, key.selection)):
                    return graph, key, True, send_as
        # No key this subgraph holds: fetch one through another subgraph first (guarded against loops).
        for graph in ordered:
            keys, send_as = self.keys_for(parent.name, name, graph)
            for key in keys:
                if all(self.resolvers(parent.name, f) for f in top_field_names(key.selection)):
                    return graph, key, False, send_as
        raise PlanningError(f"subgraph '{group.graph}' cannot provide a key of {parent.name} for {name}")

    def in_representation(self, group: Group, parent: Any, path: tuple[str, ...],
                          selection: SelectionSetNode) -> bool:
        """Are the (leaf) fields of ``selection`` already on the objects this entity group was sent? Its
        representation's fields came from earlier fetches and are in the merged data at ``path``, so a
        further hop may use them as a key even where this subgraph has them only as @external."""
        part = group.parts.get(parent.name) if group.entity and group.path == path else None
        if part is None:
            return False
        sent = {name for field_set in part.field_sets for name in top_field_names(field_set)}
        return all(isinstance(sel, FieldNode) and sel.selection_set is None and sel.name.value in sent
                   for sel in selection.selections)

    def hop(self, group: Group, parent: Any, key: str, nodes: list[FieldNode], target: SelSet,
            path: tuple[str, ...], provided: Provided | None, client: bool, only: str | None = None) -> Group:
        name = nodes[0].name.value
        graph, entity_key, direct, send_as = self.route(group, parent, nodes, path, provided, only)
        deps = {group.id}
        if direct:
            if not self.in_representation(group, parent, path, entity_key.selection):
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
        contexts = self.plan_contexts(info, deps) if info is not None and info.context_arguments else []
        child = self.groups.entity_group(group, graph, path, deps)
        if contexts:
            bound: list[tuple[str, str]] = []
            for argument, frame, value_path in contexts:
                variable = f"lt_ctx_{child.id}_{len(child.contexts)}"
                child.contexts.append(context_var(variable, argument.type, frame, value_path))
                bound.append((argument.name, variable))
            nodes = [with_context_arguments(node, bound) for node in nodes]
        part = child.parts.get(parent.name)
        if part is None:
            part = child.parts[parent.name] = Part(key_fields=top_field_names(entity_key.selection),
                                                   typename=send_as)
            part.field_sets.append(entity_key.selection)
        if requires is not None and all(fs is not requires for fs in part.field_sets):
            part.field_sets.append(requires)
        self.plan_field(child, parent, key, nodes, part.selset, path, None, client, ready=True)
        return child

    def plan_contexts(self, info: Any, deps: set[int]) -> list[tuple[Any, Frame, tuple[str, ...]]]:
        """Select each context argument's value on its nearest declaring ancestor (adding to ``deps`` the
        fetches that bring it); returns (argument, ancestor frame, path of the value in the ancestor)."""
        out = []
        for argument in info.context_arguments:
            try:
                frame = nearest(self.frames, argument.context, self.sg.contexts.get(argument.context, []))
                selection, value_path = context_field(argument)
            except ContextError as exc:
                raise PlanningError(str(exc)) from exc
            with self.tracked() as touched:
                self.plan_field_set(frame.group, self.schema.get_type(frame.type_name), selection, frame.target,
                                    frame.path, None)
            deps |= touched
            out.append((argument, frame, value_path))
        return out

    def entity_part(self, type_name: str, part: Part) -> EntityPart:
        parent = self.schema.get_type(type_name)
        fields: list[ReqField] = [ReqField("__typename")]
        for selection in part.field_sets:
            fields.extend(req_fields(self.schema, parent, selection))  # type: ignore[arg-type]
        return EntityPart(tuple(merge_req_fields(fields)), part.key_fields, part.typename or type_name)
