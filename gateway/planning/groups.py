"""Fetch groups, the planner's intermediate form, and their ordering into Sequence / Parallel plan nodes.

A group is one future subgraph fetch: root fields of one subgraph, or entity fields for the objects at a response
path. Each group lists the groups it depends on: the one whose answer holds its objects (and their keys) and those
that bring its ``@requires`` fields or keys fetched through another subgraph. Dependencies form a DAG; it is
printed as a tree (``Sequence[head, Parallel[children]]``) whenever each group's dependencies are ancestors of
one parent, which keeps independent branches parallel, and otherwise in dependency levels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from graphql import SelectionSetNode

from .plan import ContextVar, FetchNode, FlattenNode, ParallelNode, PlanNode, SequenceNode
from .selection import SelSet


@dataclass(slots=True)
class Part:
    """What an entity fetch selects for one entity type, and the field sets its representation is built from."""

    selset: SelSet = field(default_factory=SelSet)
    field_sets: list[SelectionSetNode] = field(default_factory=list)  # the key first, then @requires
    key_fields: tuple[str, ...] = ()
    typename: str = ""  # the __typename sent (an @interfaceObject's interface name, else the type itself)


@dataclass(slots=True, eq=False)
class Group:
    """One future fetch. ``root`` is the id of the root-field group whose tree it belongs to."""

    id: int
    graph: str
    entity: bool
    path: tuple[str, ...]
    root: int
    selset: SelSet = field(default_factory=SelSet)  # root fetches
    parts: dict[str, Part] = field(default_factory=dict)  # entity fetches, by entity type
    deps: set[int] = field(default_factory=set)
    contexts: list[ContextVar] = field(default_factory=list)  # @fromContext arguments of this entity fetch


class Groups:
    """All groups of one planning run, with the lookups the planner needs to share fetches."""

    def __init__(self) -> None:
        self.by_id: dict[int, Group] = {}
        self.hops: dict[tuple[int, str, tuple[str, ...]], list[int]] = {}

    def new(self, graph: str, entity: bool, path: tuple[str, ...], root: int | None = None) -> Group:
        gid = len(self.by_id)
        group = Group(gid, graph, entity, path, gid if root is None else root)
        self.by_id[gid] = group
        return group

    def depends_on(self, a: int, b: int) -> bool:
        """Does group ``a`` (transitively, or by being it) depend on group ``b``?"""
        stack, seen = [a], set()
        while stack:
            gid = stack.pop()
            if gid == b:
                return True
            if gid in seen:
                continue
            seen.add(gid)
            stack.extend(self.by_id[gid].deps)
        return False

    def entity_group(self, owner: Group, graph: str, path: tuple[str, ...], deps: set[int]) -> Group:
        """The entity fetch to ``graph`` for objects at ``path`` found in ``owner``'s answer, shared with earlier
        hops of the same owner unless sharing would make a dependency cycle."""
        slot = self.hops.setdefault((owner.id, graph, path), [])
        for gid in slot:
            group = self.by_id[gid]
            if not any(self.depends_on(d, gid) for d in deps):
                group.deps |= deps
                return group
        group = self.new(graph, True, path, owner.root)
        group.deps |= deps
        slot.append(group.id)
        return group

    def candidates(self, owner: Group, path: tuple[str, ...]) -> set[str]:
        """Graphs ``owner`` already hops to at ``path`` (preferred when several could serve a field)."""
        return {graph for (gid, graph, p) in self.hops if gid == owner.id and p == path}

    # ------------------------------------------------------------------------------------------ ordering
    def nodes(self, roots: Iterable[Group], fetch: Callable[[Group], FetchNode]) -> list[PlanNode]:
        """One plan node per root group (its whole tree), fetch nodes built by ``fetch``."""
        members: dict[int, list[Group]] = {}
        for group in self.by_id.values():
            members.setdefault(group.root, []).append(group)
        return [self._component(root, members.get(root.id, [root]), fetch) for root in roots]

    def _component(self, root: Group, groups: list[Group], fetch: Callable[[Group], FetchNode]) -> PlanNode:
        level: dict[int, int] = {}

        def level_of(group: Group) -> int:
            if group.id not in level:
                level[group.id] = 0  # guards against a cycle (never built: entity_group refuses them)
                level[group.id] = 1 + max((level_of(self.by_id[d]) for d in group.deps), default=-1)
            return level[group.id]

        for group in groups:
            level_of(group)
        # Tree parent: the deepest dependency. A tree is valid when every other dependency is an ancestor of it.
        parent: dict[int, int] = {}
        for group in groups:
            if group.id == root.id:
                continue
            deps = [self.by_id[d] for d in group.deps if d != group.id]
            parent[group.id] = max(deps, key=lambda d: (level[d.id], d.id)).id
        tree = all(self._ancestors_cover(parent, g) for g in groups if g.id != root.id)
        leaf = {g.id: (FlattenNode(g.path, fetch(g)) if g.entity else fetch(g)) for g in groups}
        if tree:
            children: dict[int, list[int]] = {}
            for gid, pid in parent.items():
                children.setdefault(pid, []).append(gid)
            return self._tree(root.id, children, leaf)
        layers: dict[int, list[PlanNode]] = {}
        for group in groups:
            layers.setdefault(level[group.id], []).append(leaf[group.id])
        steps = [nodes[0] if len(nodes) == 1 else ParallelNode(nodes) for _, nodes in sorted(layers.items())]
        return steps[0] if len(steps) == 1 else SequenceNode(steps)

    def _ancestors_cover(self, parent: dict[int, int], group: Group) -> bool:
        ancestors: set[int] = set()
        gid = parent.get(group.id)
        while gid is not None:
            ancestors.add(gid)
            gid = parent.get(gid)
        return all(d in ancestors for d in group.deps if d != group.id)

    def _tree(self, gid: int, children: dict[int, list[int]], leaf: dict[int, PlanNode]) -> PlanNode:
        head = leaf[gid]
        kids = [self._tree(c, children, leaf) for c in children.get(gid, [])]
        if not kids:
            return head
        return SequenceNode([head, kids[0] if len(kids) == 1 else ParallelNode(kids)])
