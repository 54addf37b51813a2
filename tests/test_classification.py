"""Every output field of every subgraph carries a personal-data category (004 Art. 2; BRIEF.md Classification)."""

from __future__ import annotations

import importlib

import pytest
from graphql import InterfaceTypeDefinitionNode, ObjectTypeDefinitionNode, ObjectTypeExtensionNode, parse

from subgraphs.common.classification import DataCategory

SUBGRAPHS = ("population", "civil_status", "sentences")
FEDERATION_FIELDS = {("Query", "_entities"), ("Query", "_service"), ("_Service", "sdl")}
FEDERATION_TYPES = {"_Service"}


def _sdl(name: str) -> str:
    schema = importlib.import_module(f"subgraphs.{name}.schema").schema
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.errors is None, result.errors
    return result.data["_service"]["sdl"]


def _unclassified(sdl: str) -> list[str]:
    missing = []
    for definition in parse(sdl).definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode | InterfaceTypeDefinitionNode):
            continue
        type_name = definition.name.value
        if type_name in FEDERATION_TYPES:
            continue
        for field in definition.fields or ():
            if (type_name, field.name.value) in FEDERATION_FIELDS:
                continue
            categories = [
                arg.value.value
                for directive in field.directives or ()
                if directive.name.value == "personalData"
                for arg in directive.arguments
                if arg.name.value == "category"
            ]
            if len(categories) != 1 or categories[0] not in DataCategory.__members__:
                missing.append(f"{type_name}.{field.name.value}")
    return missing


@pytest.mark.parametrize("name", SUBGRAPHS)
def test_every_field_is_classified(name: str) -> None:
    sdl = _sdl(name)
    assert "@composeDirective(name: \"@personalData\")" in sdl
    assert _unclassified(sdl) == []


def test_the_check_catches_an_unclassified_field() -> None:
    sdl = """
    type Query { a: String @personalData(category: BASIC) b: Int }
    type T { c: String @personalData(category: NOT_A_CATEGORY) }
    """
    assert _unclassified(sdl) == ["Query.b", "T.c"]
