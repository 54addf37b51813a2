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
from dataclasses import dataclass, field
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
    is_leaf_type,
    print_ast,
)

from ..supergraph import Supergraph
from ..supergraph.documents import ParsedOperation
from .keys import planner_keys, source_key
from .plan import (
    EntityPart,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    ReqField,
    SequenceNode,
)
from .selection import SelSet, collect_fields, sub_selections
from .shape import ShapeBuilder

Provided = dict[str, "Provided"]


class PlanningError(Exception):
    """The operation cannot be planned over this supergraph (a composition the planner does not support)."""


@dataclass(slots=True)
class _Part:
    """What an entity fetch selects for one entity type, and the representation it sends for it."""

    selset: SelSet = field(default_factory=SelSet)
    requires: SelSet = field(default_factory=SelSet)
    key_fields: tuple[str, ...] = ()


@dataclass(slots=True)
class _Group:
    """One future fetch: root fields of a subgraph, or entity fields for the objects at ``path``."""

    id: int
    graph: str
    entity: bool
    path: tuple[str, ...]
    selset: SelSet = field(default_factory=SelSet)  # root fetches
    parts: dict[str, _Part] = field(default_factory=dict)  # entity fetches, by entity type
    children: dict[tuple[str, tuple[str, ...]], _Group] = field(default_factory=dict)


def _unwrap(gql_type: Any) -> tuple[Any, int]:
    lists = 0
    while isinstance(gql_type, GraphQLNonNull | GraphQLList):
        if isinstance(gql_type, GraphQLList):
            lists += 1
        gql_type = gql_type.of_type
    return gql_type, lists


def _provided(selection_set: SelectionSetNode | None) -> Provided:
    out: Provided = {}
    if selection_set is None:
        return out
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            out[sel.name.value] = _provided(sel.selection_set)
        elif isinstance(sel, InlineFragmentNode):  # provides on a type condition: approximate as the union
            out.update(_provided(sel.selection_set))
    return out


def _req_fields(selset: SelSet) -> tuple[ReqField, ...]:
    return tuple(ReqField(f.name, _req_fields(f.children) if f.children is not None else None)
                 for f in selset.fields.values())


class _Build:
    """State of one planning run."""

    def __init__(self, supergraph: Supergraph, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any], reserved: frozenset[str]) -> None:
        self.sg = supergraph
        self.reserved = reserved
        self.schema = supergraph.api_schema
        self.fragments = fragments
        self.variables = variables
        self.ids = itertools.count()

    def collect(self, runtime: GraphQLObjectType, sets: list[SelectionSetNode]) -> dict[str, list[FieldNode]]:
        return collect_fields(self.schema, runtime, sets, self.fragments, self.variables)

    def new_group(self, graph: str, entity: bool, path: tuple[str, ...]) -> _Group:
        return _Group(next(self.ids), graph, entity, path)

    def can_resolve(self, graph: str, type_name: str, field_name: str, provided: Provided | None) -> bool:
        if provided is not None and field_name in provided:
            return True
        return graph in self.sg.type_meta(type_name).resolvers(field_name)

    # ------------------------------------------------------------------------------------------ fields
    def plan_field(self, group: _Group, parent: GraphQLObjectType, key: str, nodes: list[FieldNode],
                   target: SelSet, path: tuple[str, ...], provided: Provided | None, client: bool = True) -> None:
        name = nodes[0].name.value
        if not self.can_resolve(group.graph, parent.name, name, provided) and name != "__typename":
            self.hop(group, parent, key, nodes, target, path, provided, client)
            return
        key = source_key(key, name, self.reserved)  # from here on: the key in subgraph operations
        if name == "__typename":
            target.add(key, name, client=client)
            return
        named, lists = _unwrap(parent.fields[name].type)
        composite = not is_leaf_type(named)
        sel = target.add(key, name, tuple(nodes[0].arguments or ()), client=client, composite=composite)
        if not composite:
            return
        if provided is not None and name in provided:
            sub_provided: Provided | None = provided[name]
        else:
            info = self.sg.type_meta(parent.name).field_in(name, group.graph)
            sub_provided = _provided(info.provides) if info is not None and info.provides is not None else None
        assert sel.children is not None
        self.plan_composite(group, named, sub_selections(nodes), sel.children,
                            (*path, key, *("@",) * lists), sub_provided, client)

    def plan_composite(self, group: _Group, named: Any, sets: list[SelectionSetNode], selset: SelSet,
                       path: tuple[str, ...], provided: Provided | None, client: bool = True) -> None:
        if isinstance(named, GraphQLObjectType):
            for key, nodes in self.collect(named, sets).items():
                self.plan_field(group, named, key, nodes, selset, path, provided, client)
            return
        # Abstract: the runtime type decides the fields, so select per concrete type (and __typename to know it),
        # except leaf fields every concrete type selects alike and this subgraph resolves on the interface itself:
        # those are selected once at interface level (14 civil status event types each repeating them doubled
        # the subgraph's work).
        selset.add("__typename", "__typename", client=False)
        per_type: dict[str, tuple[GraphQLObjectType, dict[str, list[FieldNode]]]] = {}
        for type_name in self.sg.possible_types_in(named.name, group.graph):
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

    def _local_leaves(self, group: _Group, definition: Any, nodes: list[FieldNode]) -> bool:
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

    def _shared_leaves(self, group: _Group, named: Any,
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

    def add_plain(self, target: SelSet, parent: GraphQLObjectType, selection: SelectionSetNode) -> None:
        """Add a field set (key, requires) the current subgraph resolves itself."""
        for sel in selection.selections:
            if not isinstance(sel, FieldNode):
                continue
            name = sel.name.value
            if name == "__typename":
                target.add(name, name, client=False)
                continue
            named, _ = _unwrap(parent.fields[name].type)
            child = target.add(name, name, client=False, composite=sel.selection_set is not None)
            if sel.selection_set is not None and child.children is not None and isinstance(named, GraphQLObjectType):
                self.add_plain(child.children, named, sel.selection_set)

    # ------------------------------------------------------------------------------------------ hops
    def hop(self, group: _Group, parent: GraphQLObjectType, key: str, nodes: list[FieldNode], target: SelSet,
            path: tuple[str, ...], provided: Provided | None, client: bool) -> _Group:
        name = nodes[0].name.value
        meta = self.sg.type_meta(parent.name)
        candidates = [g for g in meta.resolvers(name) if meta.resolvable_keys(g)]
        if not candidates:
            raise PlanningError(
                f"cannot plan {parent.name}.{name} from subgraph '{group.graph}': no subgraph resolving it can "
                f"fetch {parent.name} by key"
            )
        hopped = [g for g in candidates if (g, path) in group.children]
        graph = hopped[0] if hopped else candidates[0]
        entity_key = next(
            (k for k in meta.resolvable_keys(graph)
             if all(self.can_resolve(group.graph, parent.name, f.name.value, provided)
                    for f in k.selection.selections if isinstance(f, FieldNode))),
            None,
        )
        if entity_key is None:
            raise PlanningError(f"subgraph '{group.graph}' cannot provide a key of {parent.name} for '{graph}'")
        self.add_plain(target, parent, entity_key.selection)
        target.add("__typename", "__typename", client=False)

        owner = group
        info = meta.field_in(name, graph)
        requires = info.requires if info is not None else None
        if requires is not None:
            # Required fields are selected at this level like client fields (hopping if need be); the dependent
            # fetch then runs after whichever fetch brings them.
            for rkey, rnodes in self.collect(parent, [requires]).items():
                rname = rnodes[0].name.value
                if self.can_resolve(group.graph, parent.name, rname, provided):
                    self.plan_field(group, parent, rkey, rnodes, target, path, provided, client=False)
                else:
                    owner = self.hop(group, parent, rkey, rnodes, target, path, provided, client=False)
        # One fetch per (subgraph, path): entity types found at the same path share it.
        child = owner.children.get((graph, path))
        if child is None:
            child = owner.children[(graph, path)] = self.new_group(graph, True, path)
        part = child.parts.get(parent.name)
        if part is None:
            part = child.parts[parent.name] = _Part()
            part.requires.add("__typename", "__typename", client=False)
            self.add_plain(part.requires, parent, entity_key.selection)
            part.key_fields = tuple(f.name.value for f in entity_key.selection.selections if isinstance(f, FieldNode))
        if requires is not None:
            self.add_plain(part.requires, parent, requires)
        self.plan_field(child, parent, key, nodes, part.selset, path, None, client)
        return child


class Planner:
    """Plans operations over one supergraph (stateless between calls; cache plans with :class:`PlanCache`)."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.reserved = planner_keys(supergraph)  # response keys the planner may add itself

    def plan(self, operation: ParsedOperation, variables: dict[str, Any] | None = None) -> QueryPlan:
        """Plan ``operation``; ``variables`` only decide ``@skip``/``@include``."""
        variables = variables or {}
        schema = self.supergraph.api_schema
        build = _Build(self.supergraph, operation.fragments, variables, self.reserved)
        root = schema.mutation_type if operation.operation_type == "mutation" else schema.query_type
        if root is None:
            raise PlanningError(f"the schema has no {operation.operation_type} type")
        groups: list[_Group] = []
        meta = self.supergraph.type_meta(root.name)
        for key, nodes in build.collect(root, [operation.operation.selection_set]).items():
            name = nodes[0].name.value
            if name in ("__typename", "__schema", "__type"):
                continue  # answered by the gateway itself
            candidates = meta.resolvers(name)
            if not candidates:
                raise PlanningError(f"no subgraph resolves {root.name}.{name}")
            if operation.operation_type == "mutation":
                # Mutations run in the client's order: only consecutive fields of one subgraph share a fetch.
                if groups and groups[-1].graph in candidates:
                    group = groups[-1]
                else:
                    group = build.new_group(candidates[0], False, ())
                    groups.append(group)
            else:
                group = next((g for g in groups if g.graph in candidates), None)
                if group is None:
                    group = build.new_group(candidates[0], False, ())
                    groups.append(group)
            build.plan_field(group, root, key, nodes, group.selset, (), None)
        fetches = itertools.count()
        nodes_ = [self._node(g, operation, fetches) for g in groups]
        node: PlanNode | None
        if not nodes_:
            node = None
        elif len(nodes_) == 1:
            node = nodes_[0]
        elif operation.operation_type == "mutation":
            node = SequenceNode(nodes_)
        else:
            node = ParallelNode(nodes_)
        shape = ShapeBuilder(schema, operation.fragments, variables, self.reserved).build(
            root, [operation.operation.selection_set], root=True
        )
        return QueryPlan(node, shape, operation.operation_type, operation.introspection, next(fetches))

    def _node(self, group: _Group, operation: ParsedOperation, fetches: itertools.count[int]) -> PlanNode:
        fetch = self._fetch(group, operation, next(fetches))
        head: PlanNode = FlattenNode(group.path, fetch) if group.entity else fetch
        if not group.children:
            return head
        kids = [self._node(c, operation, fetches) for c in group.children.values()]
        return SequenceNode([head, kids[0] if len(kids) == 1 else ParallelNode(kids)])

    def _fetch(self, group: _Group, operation: ParsedOperation, index: int) -> FetchNode:
        if group.entity:
            used: set[str] = set()
            for part in group.parts.values():
                part.selset.variables(used)
            fragments = " ".join(f"... on {t} {part.selset.print()}" for t, part in group.parts.items())
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
            entities={t: EntityPart(_req_fields(p.requires), p.key_fields) for t, p in group.parts.items()},
        )
