"""A field the policy may withhold is nullable (Apollo's guidance for authorization-controlled fields).

The gateway withholds a field as ``null`` + FORBIDDEN_FIELD by its ``@personalData`` category. Under GraphQL's
null propagation a withheld non-null field would null its parent, recursively, and erase the fields the caller
may see (e.g. a withheld ``Person.sentences: [Sentence!]!`` would null the whole person). So every output field
whose category is not ``PUBLIC`` is nullable, except the entity key fields federation needs (``@key``). List
items may stay non-null: the policy withholds whole fields, never list items.
"""

from __future__ import annotations

import pytest
from graphql import (
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    StringValueNode,
    parse,
)

from tests.compose.live_sdl import live_sdl

SUBGRAPHS = ("population", "civil_status", "sentences")
_TYPE_NODES = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
)


def _category(field: object) -> str | None:
    for directive in getattr(field, "directives", None) or ():
        if directive.name.value == "personalData":
            for arg in directive.arguments:
                if arg.name.value == "category":
                    return str(arg.value.value)
    return None


def _key_fields(definition: object) -> set[str]:
    """Top-level field names of every ``@key(fields: "...")`` of a type (nested selections are not keys here)."""
    names: set[str] = set()
    for directive in getattr(definition, "directives", None) or ():
        if directive.name.value != "key":
            continue
        for arg in directive.arguments:
            if arg.name.value == "fields" and isinstance(arg.value, StringValueNode):
                depth = 0
                for token in arg.value.value.replace("{", " { ").replace("}", " } ").split():
                    if token == "{":
                        depth += 1
                    elif token == "}":
                        depth -= 1
                    elif depth == 0:
                        names.add(token)
    return names


def withholdable_non_null(sdl: str) -> list[str]:
    """Coordinates of non-null output fields whose category is not PUBLIC and that are not entity keys.

    An unclassified field counts as withholdable (the gateway treats it as the most restricted category)."""
    found = []
    for definition in parse(sdl).definitions:
        if not isinstance(definition, _TYPE_NODES):
            continue
        type_name = definition.name.value
        if type_name.startswith("_"):
            continue
        keys = _key_fields(definition)
        for field in definition.fields or ():
            name = field.name.value
            if type_name == "Query" and name.startswith("_"):
                continue  # _entities, _service: federation's own
            if name in keys or _category(field) == "PUBLIC":
                continue
            if isinstance(field.type, NonNullTypeNode):
                found.append(f"{type_name}.{name}")
    return found


@pytest.mark.parametrize("name", SUBGRAPHS)
def test_withholdable_fields_are_nullable(name: str) -> None:
    assert withholdable_non_null(live_sdl(name)) == []


def test_the_check_catches_a_non_null_withholdable_field() -> None:
    sdl = """
    type Query { a: [T!]! @personalData(category: BASIC) b: [T!] @personalData(category: BASIC)
                 c: Int! @personalData(category: PUBLIC) d: Int! _service: Int! }
    type T @key(fields: "id other { x }") { id: ID! @personalData(category: IDENTIFIER)
         other: T @personalData(category: BASIC) x: String! @personalData(category: CRIMINAL) }
    interface I { y: String! @personalData(category: FAMILY) }
    """
    assert withholdable_non_null(sdl) == ["Query.a", "Query.d", "T.x", "I.y"]
