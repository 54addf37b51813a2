"""What the supergraph declares about each mutation: the argument holding its area and its subjects.

Read once from the supergraph SDL (the composed ``@writeArea(argument:)`` and repeatable
``@writeSubject(argument:)`` of ``subgraphs/common/writes.py``). Nothing is guessed from argument names: a
mutation without ``@writeArea`` has no known area, which the write policy refuses to province-scoped agencies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    parse,
    value_from_ast_untyped,
)

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

    def of(self, coordinate: str) -> WriteDeclaration:
        """The declarations of ``coordinate`` (none declared: an empty declaration)."""
        return self.mutations.get(coordinate) or WriteDeclaration()

    @classmethod
    def from_sdl(cls, sdl: str, root: str = "Mutation") -> WriteModel:
        return cls.from_document(parse(sdl, no_location=True), root)

    @classmethod
    def from_document(cls, document: DocumentNode, root: str = "Mutation") -> WriteModel:
        found: dict[str, WriteDeclaration] = {}
        for definition in document.definitions:
            if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
                continue
            if definition.name.value != root:
                continue
            for fnode in definition.fields or ():
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
        return cls(found, root)


def _path(directive: object) -> tuple[str, ...] | None:
    for arg in getattr(directive, "arguments", None) or ():
        if arg.name.value == "argument":
            value = value_from_ast_untyped(arg.value)
            if isinstance(value, str) and value and all(part for part in value.split(".")):
                return tuple(value.split("."))
    return None
