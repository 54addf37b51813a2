"""The mutation root calls of one request, with their declared area and subjects.

Every root field of a mutation operation is a write: each becomes a :class:`WriteCall` (whether it declares
anything or not, so that the write policy denies by default), except the gateway-local ones (``WriteModel.local``). The policy input carries it among ``calls`` with
a ``write`` object (``{"area": "079" | null, "area_declared": bool}``); ``policies/writes.rego`` refuses it as a
root field (withheld: null and ``FORBIDDEN_FIELD`` at its response key), so the subgraph is never called for
it. Subjects stay out of the policy input (the decision does not depend on them, and decisions stay cacheable);
they are audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    value_from_ast,
)

from ..policy.types import RootCall
from ..policy.walk import collect_fields, fragments_of, operation_of
from .model import WriteModel

PROVINCE = re.compile(r"\d{3}")
PERSONAL_ID = re.compile(r"\d{12}")
MAX_SUBJECTS = 20  # per call: a list argument cannot flood the audit record


@dataclass(frozen=True, slots=True)
class WriteCall(RootCall):
    """A mutation root call: ``RootCall`` (response key, coordinate, no policy arguments) plus what the schema
    declares about the write. ``area`` is the value at the declared ``@writeArea`` argument when it is a 3-digit
    province code, else None (unknown)."""

    area: str | None = None
    area_declared: bool = False
    subjects: tuple[str, ...] = ()

    def write_input(self) -> dict[str, Any]:
        """The ``write`` object of this call in the policy input (policies/README.md)."""
        return {"area": self.area, "area_declared": self.area_declared}


def _at(values: Any, path: Iterable[str]) -> Any:
    for step in path:
        if not isinstance(values, Mapping):
            return None
        values = values.get(step)
    return values


def _subject_values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str) and PERSONAL_ID.fullmatch(v)]


def _arguments(field_def: GraphQLField, node: FieldNode, variables: Mapping[str, Any] | None) -> dict[str, Any]:
    """The field's argument values (validated document, coerced variables); one that does not coerce is absent
    (unknown, like a value that is no province code)."""
    given = {arg.name.value: arg.value for arg in node.arguments or ()}
    out: dict[str, Any] = {}
    for name, arg in field_def.args.items():
        if name in given:
            value = value_from_ast(given[name], arg.type, dict(variables or {}))
            if value is not Undefined:
                out[name] = value
        elif arg.default_value is not Undefined:
            out[name] = arg.default_value
    return out


def write_calls(schema: GraphQLSchema, model: WriteModel, document: DocumentNode, operation_name: str | None,
                variables: Mapping[str, Any] | None) -> tuple[WriteCall, ...]:
    """The write calls of a mutation operation (none for a query), in the client's order."""
    operation = operation_of(document, operation_name)
    if operation.operation.value != "mutation":
        return ()
    root = schema.mutation_type
    if not isinstance(root, GraphQLObjectType):
        return ()
    calls: list[WriteCall] = []
    for key, nodes in collect_fields(schema, root, operation.selection_set, fragments_of(document),
                                     variables).items():
        name = nodes[0].name.value
        if name == "__typename":
            continue
        field_def = root.fields.get(name)
        coordinate = f"{root.name}.{name}"
        if coordinate in model.local:  # served by the gateway itself: decided by its service's own policy
            continue
        declaration = model.of(coordinate)
        arguments = _arguments(field_def, nodes[0], variables) if field_def is not None else {}
        area = None
        if declaration.area is not None:
            value = _at(arguments, declaration.area)
            area = value if isinstance(value, str) and PROVINCE.fullmatch(value) else None
        subjects: list[str] = []
        for path in declaration.subjects:
            subjects.extend(s for s in _subject_values(_at(arguments, path)) if s not in subjects)
        calls.append(WriteCall(key, coordinate, {}, area, declaration.area is not None,
                               tuple(subjects[:MAX_SUBJECTS])))
    return tuple(calls)
