"""What the supergraph declares about each mutation: the argument holding its area and its subjects.

Read once from the supergraph SDL (the composed ``@writeArea(argument:)`` and repeatable
``@writeSubject(argument:)`` of ``subgraphs/common/writes.py``). Nothing is guessed from argument names: a
mutation without ``@writeArea`` has no known area, which the write policy refuses to province-scoped agencies.

Mutations the gateway serves itself (the gateway-local graph, ``gateway.local_subgraph``: the grants registry, the
data subjects' requests) are no writes to the national databases: their own services and policies decide them
(``local``, from the join spec: fields only the local graph resolves).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    parse,
    value_from_ast_untyped,
)

LOCAL_GRAPH = "gateway"  # gateway.local_subgraph.LOCAL_GRAPH (not imported: that module pulls in strawberry)
AREA_DIRECTIVE = "writeArea"
SUBJECT_DIRECTIVE = "writeSubject"


@dataclass(frozen=True, slots=True)
class WriteDeclaration:
    """One mutation's declarations: argument paths (argument, then input field names)."""

    area: tuple[str, ...] | None = None
    subjects: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class WriteModel:
    """Declarations by mutation coordinate (``Mutation.registerBirth``)."""

    mutations: Mapping[str, WriteDeclaration] = field(default_factory=dict)
    root: str = "Mutation"
    local: frozenset[str] = frozenset()  # coordinates only the gateway-local graph resolves: not writes here

    def of(self, coordinate: str) -> WriteDeclaration:
        """The declarations of ``coordinate`` (none declared: an empty declaration)."""
        return self.mutations.get(coordinate) or WriteDeclaration()

    @classmethod
    def from_sdl(cls, sdl: str, root: str = "Mutation") -> WriteModel:
        return cls.from_document(parse(sdl, no_location=True), root)

    @classmethod
    def from_document(cls, document: DocumentNode, root: str = "Mutation") -> WriteModel:
        found: dict[str, WriteDeclaration] = {}
        local: set[str] = set()
        local_enum = _local_graph_enum(document)
        for definition in document.definitions:
            if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
                continue
            if definition.name.value != root:
                continue
            type_graphs = _graphs(definition, "join__type")
            for fnode in definition.fields or ():
                graphs = _graphs(fnode, "join__field") or type_graphs
                if local_enum is not None and graphs == {local_enum}:
                    local.add(f"{root}.{fnode.name.value}")
                area: tuple[str, ...] | None = None
                subjects: list[tuple[str, ...]] = []
                for directive in fnode.directives or ():
                    name = directive.name.value
                    if name not in (AREA_DIRECTIVE, SUBJECT_DIRECTIVE):
                        continue
                    path = _path(directive)
                    if path is None:
                        continue
                    if name == AREA_DIRECTIVE:
                        area = path
                    elif path not in subjects:
                        subjects.append(path)
                if area is not None or subjects:
                    found[f"{root}.{fnode.name.value}"] = WriteDeclaration(area, tuple(subjects))
        return cls(found, root, frozenset(local))


def _local_graph_enum(document: DocumentNode) -> str | None:
    """The ``join__Graph`` value of the gateway-local graph (None outside a supergraph, or without it)."""
    for definition in document.definitions:
        if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == "join__Graph":
            for value in definition.values or ():
                for directive in value.directives or ():
                    if directive.name.value == "join__graph" and any(
                            a.name.value == "name" and value_from_ast_untyped(a.value) == LOCAL_GRAPH
                            for a in directive.arguments or ()):
                        return value.name.value
    return None


def _graphs(node: object, directive_name: str) -> set[str]:
    """The ``graph:`` enum values of a node's join directives."""
    out = set()
    for directive in getattr(node, "directives", None) or ():
        if directive.name.value == directive_name:
            for arg in directive.arguments or ():
                if arg.name.value == "graph" and isinstance(arg.value, EnumValueNode):
                    out.add(arg.value.value)
    return out


def _path(directive: object) -> tuple[str, ...] | None:
    for arg in getattr(directive, "arguments", None) or ():
        if arg.name.value == "argument":
            value = value_from_ast_untyped(arg.value)
            if isinstance(value, str) and value and all(part for part in value.split(".")):
                return tuple(value.split("."))
    return None
