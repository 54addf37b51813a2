"""The query planner: split a client operation into subgraph fetches.

Root fields are grouped by the subgraph resolving them (one fetch per subgraph; in order for mutations); when
several subgraphs can serve a field, the one leaving the fewest fields to others is chosen. Within a fetch, a
field the current subgraph cannot resolve becomes an *entity hop*: the key fields (and ``__typename``) are added
to the current selection, and a dependent fetch ``_entities(representations:)`` to a subgraph that can resolve
the field is created for the objects at that response path (``build.py``). Hops from the same fetch, at the same
path, to the same subgraph share one fetch, so a list of any length costs one call per subgraph per level.

Fetches form a DAG (``groups.py``): a fetch waits for the one holding its objects and for every fetch that brings
its ``@requires`` fields or a key held by a third subgraph; it is printed as Sequence/Parallel nodes. Field sets
may nest and use fragments (``fieldsets.py``); ``@provides`` lets a subgraph resolve otherwise external fields
below the providing field; ``@shareable`` fields are taken from the subgraph already being fetched; value-type
fields whose sub-fields live in several subgraphs are fetched from each. Abstract types are expanded into inline
fragments per concrete type; ``@interfaceObject`` positions get their concrete type from a subgraph where the
interface is real (``interface_objects.py``). Progressive ``@override`` labels: ``resolution.label_enabled``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from graphql import GraphQLInterfaceType, print_ast

from ..supergraph import Supergraph
from ..supergraph.documents import ParsedOperation
from .build import Build, PlanningError
from .groups import Group
from .interface_objects import interface_objects
from .keys import planner_keys
from .plan import FetchNode, ParallelNode, PlanNode, QueryPlan, Reuse, SequenceNode
from .reuse import entity_positions, reuse_of
from .shape import ShapeBuilder

__all__ = ["Planner", "PlanningError"]


class Planner:
    """Plans operations over one supergraph (stateless between calls; cache plans with :class:`PlanCache`)."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.reserved = planner_keys(supergraph)  # response keys the planner may add itself
        self.io = interface_objects(supergraph)
        # (type, field) that some subgraph declares with another type than the supergraph (join__field(type:))
        self.retyped = frozenset((t, f) for t, meta in supergraph.types.items() for f, fm in meta.fields.items()
                                 if any(info.type for info in fm.graphs.values()))

    def plan(self, operation: ParsedOperation, variables: dict[str, Any] | None = None) -> QueryPlan:
        """Plan ``operation``; ``variables`` only decide ``@skip``/``@include``."""
        variables = variables or {}
        build = Build(self.supergraph, operation.fragments, variables, self.reserved, self.io, self.retyped)
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
        positions = entity_positions(build.groups, build.positions)
        reuse = {g.id: reuse_of(g, build.groups, positions, build.schema) for g in build.groups.by_id.values()}
        nodes_ = build.groups.nodes(roots, self._fetcher(build, operation, fetches, reuse))
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
        shape = ShapeBuilder(self.supergraph.api_schema, operation.fragments, variables, self.reserved,
                             self.retyped).build(
            api_root, [operation.operation.selection_set], root=True
        )
        return QueryPlan(node, shape, operation.operation_type, operation.introspection, next(fetches))

    def _fetcher(self, build: Build, operation: ParsedOperation, fetches: itertools.count[int],
                 reuse: dict[int, tuple[Reuse, ...]]) -> Callable[[Group], FetchNode]:
        return lambda group: self._fetch(build, group, operation, next(fetches), reuse[group.id])

    def _fetch(self, build: Build, group: Group, operation: ParsedOperation, index: int,
               reuse: tuple[Reuse, ...] = ()) -> FetchNode:
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
            var_defs.extend(f"${c.variable}: {c.type}" for c in group.contexts)
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
            contexts=tuple(group.contexts),
            assume_type=next((t for t in group.parts if isinstance(build.schema.get_type(t), GraphQLInterfaceType)), ""),
            reuse=reuse,
        )
