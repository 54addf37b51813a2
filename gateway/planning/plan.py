"""Query plan nodes, shaped like Apollo's (Sequence / Parallel / Flatten / Fetch), and their printed forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from .shape import ObjectShape


@dataclass(frozen=True, slots=True)
class ReqField:
    """One field of an entity representation (``__typename``, key and ``@requires`` fields)."""

    name: str
    children: tuple[ReqField, ...] | None = None
    # runtime types this field is sent for (a field set's type condition); None: every object
    types: frozenset[str] | None = None
    source: str | None = None  # the response key it was fetched under, when not its name (arguments)


@dataclass(frozen=True, slots=True)
class EntityPart:
    """How to build the representation of an object of one entity type (``__typename``, key, ``@requires``)."""

    requires: tuple[ReqField, ...]
    key_fields: tuple[str, ...]
    # the __typename the representation carries: the type's own name, or the interface's name when the target
    # subgraph knows the type only as an @interfaceObject
    send_as: str = ""
    # the one key field when the representation is ``{__typename, <it>}`` and nothing else (the common case,
    # built without a walk over ``requires``: execution/entities.py)
    single_key: str | None = field(init=False, default=None, compare=False)

    def __post_init__(self) -> None:
        plain = all(r.children is None and r.types is None and r.source is None for r in self.requires)
        names = tuple(r.name for r in self.requires)
        if plain and len(self.key_fields) == 1 and names == ("__typename", self.key_fields[0]):
            object.__setattr__(self, "single_key", self.key_fields[0])


@dataclass(frozen=True, slots=True)
class ContextVar:
    """A ``@fromContext`` argument of an entity fetch: variable ``variable`` (GraphQL ``type``) takes, for each
    object, the value at ``path`` in its ancestor ``depth`` path segments from the root."""

    variable: str
    type: str
    depth: int
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reuse:
    """Where an entity fetch's answers for ``type_name`` may already be (``planning/reuse.py``): objects at
    ``path`` (of that ``__typename`` when ``typed``), complete before the fetch starts, holding the entity's key
    under ``keys`` (in the order of the entity's key fields) and the fetch's every field under ``fields``."""

    type_name: str
    path: tuple[str, ...]
    typed: bool
    keys: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(slots=True)
class FetchNode:
    """One subgraph operation. For entity fetches, ``entities`` says, per entity type, how to build the
    representations of the objects found at the enclosing Flatten's path (objects of other types are skipped)."""

    id: int
    service: str
    operation: str
    operation_kind: str
    variable_usages: tuple[str, ...]
    client_keys: tuple[str, ...]  # top-level response keys the client asked for (errors go there on failure)
    entities: dict[str, EntityPart] = field(default_factory=dict)
    assume_type: str = ""  # entity type of objects at the path that carry no __typename (@interfaceObject)
    contexts: tuple[ContextVar, ...] = ()  # @fromContext arguments: one _entities call per distinct value
    reuse: tuple[Reuse, ...] = ()  # earlier positions holding some of its answers (planning/reuse.py)


@dataclass(slots=True)
class FlattenNode:
    path: tuple[str, ...]  # response keys, "@" for each list level
    node: FetchNode


@dataclass(slots=True)
class SequenceNode:
    nodes: list[PlanNode] = field(default_factory=list)


@dataclass(slots=True)
class ParallelNode:
    nodes: list[PlanNode] = field(default_factory=list)


PlanNode = Union[FetchNode, FlattenNode, SequenceNode, ParallelNode]  # noqa: UP007 - used at run time


@dataclass(slots=True)
class QueryPlan:
    """A plan plus what completion needs: the response shape of the (execution) operation."""

    node: PlanNode | None
    shape: ObjectShape
    operation_kind: str
    introspection: bool = False
    fetch_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "QueryPlan", "node": _node_dict(self.node) if self.node else None}

    def pretty(self) -> str:
        lines = ["QueryPlan {"]
        if self.node is not None:
            _pretty(self.node, 1, lines)
        lines.append("}")
        return "\n".join(lines)


def _node_dict(node: PlanNode) -> dict[str, Any]:
    if isinstance(node, FetchNode):
        out: dict[str, Any] = {"kind": "Fetch", "serviceName": node.service, "operationKind": node.operation_kind,
                               "variableUsages": list(node.variable_usages), "operation": node.operation}
        if node.entities:
            out["requires"] = [{"kind": "InlineFragment", "typeCondition": t,
                                "selections": [_req_dict(r) for r in part.requires]}
                               for t, part in node.entities.items()]
        return out
    if isinstance(node, FlattenNode):
        return {"kind": "Flatten", "path": list(node.path), "node": _node_dict(node.node)}
    kind = "Sequence" if isinstance(node, SequenceNode) else "Parallel"
    return {"kind": kind, "nodes": [_node_dict(n) for n in node.nodes]}


def _req_dict(r: ReqField) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "Field", "name": r.name}
    if r.children:
        out["selections"] = [_req_dict(c) for c in r.children]
    return out


def _req_text(reqs: tuple[ReqField, ...]) -> str:
    return " ".join(r.name + (" { " + _req_text(r.children) + " }" if r.children else "") for r in reqs)


def _pretty(node: PlanNode, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    if isinstance(node, FetchNode):
        lines.append(f'{pad}Fetch(service: "{node.service}") {{')
        if node.entities:
            reps = " ".join(f"... on {t} {{ {_req_text(p.requires)} }}" for t, p in node.entities.items())
            lines.append(f"{pad}  {{ {reps} }} =>")
        lines.append(f"{pad}  {node.operation}")
        lines.append(f"{pad}}},")
    elif isinstance(node, FlattenNode):
        lines.append(f'{pad}Flatten(path: "{".".join(node.path)}") {{')
        _pretty(node.node, depth + 1, lines)
        lines.append(f"{pad}}},")
    else:
        lines.append(f"{pad}{'Sequence' if isinstance(node, SequenceNode) else 'Parallel'} {{")
        for child in node.nodes:
            _pretty(child, depth + 1, lines)
        lines.append(f"{pad}}},")
