"""``@context`` / ``@fromContext`` (join v0.5 ``contextArguments``): arguments the router fills from an ancestor.

``total(locale: String @fromContext(field: "$userCtx { locale }"))`` takes ``locale`` from the nearest object
above it whose type declares ``@context(name: "userCtx")``; the argument is not in the API schema. The planner
selects the context's field on that ancestor (under an internal key), fetches the field through ``_entities``
after it, and passes the value as a variable; the executor reads each object's own ancestor and sends one
``_entities`` call per distinct context value, so every object gets its own ancestor's value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    FieldNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
)

from ..supergraph.model import ContextArgument
from .plan import ContextVar


class ContextError(Exception):
    """A context argument the planner cannot fill (no ancestor declares the context, or a selection that does
    not name one value)."""


@dataclass(slots=True)
class Frame:
    """An object position being planned: its response path, type, and the selection it is fetched into."""

    path: tuple[str, ...]
    type_name: str
    group: Any  # groups.Group
    target: Any  # selection.SelSet


def _selection(text: str) -> SelectionSetNode:
    body = text.strip()
    if not body.startswith("{"):
        body = "{" + body + "}"
    operation = parse(body, no_location=True).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set


def context_field(argument: ContextArgument) -> tuple[SelectionSetNode, tuple[str, ...]]:
    """The ancestor selection of a context argument under an internal key, and the path of its value in the
    ancestor's answer (``{ prefs { locale } }`` -> ``(_lt_cx_…, locale)``)."""
    selection = _selection(argument.selection)
    names: list[str] = []
    node: SelectionSetNode | None = selection
    while node is not None:
        fields = [s for s in node.selections if isinstance(s, FieldNode)]
        if len(fields) != 1 or len(fields) != len(node.selections):
            raise ContextError(f"the context selection {argument.selection!r} of argument '{argument.name}' does "
                               "not name exactly one field (type conditions in contexts are not supported)")
        names.append(fields[0].name.value)
        node = fields[0].selection_set
    top = selection.selections[0]
    assert isinstance(top, FieldNode)
    digest = hashlib.sha1(f"{argument.context}:{argument.selection}".encode()).hexdigest()[:8]
    alias = f"_lt_cx_{top.name.value}_{digest}"
    aliased = FieldNode(alias=NameNode(value=alias), name=top.name, arguments=top.arguments,
                        directives=top.directives, selection_set=top.selection_set)
    return SelectionSetNode(selections=(aliased,)), (alias, *names[1:])


def nearest(frames: list[Frame], context: str, declaring: list[str]) -> Frame:
    """The innermost frame whose type declares ``context``."""
    for frame in reversed(frames):
        if frame.type_name in declaring:
            return frame
    raise ContextError(f"no object above declares the context '{context}'")


def with_context_arguments(node: FieldNode, bound: list[tuple[str, str]]) -> FieldNode:
    """``node`` with each ``(argument, variable)`` of ``bound`` passed as ``argument: $variable``."""
    extra = tuple(ArgumentNode(name=NameNode(value=arg), value=VariableNode(name=NameNode(value=var)))
                  for arg, var in bound)
    return FieldNode(alias=node.alias, name=node.name, arguments=(*(node.arguments or ()), *extra),
                     directives=node.directives, selection_set=node.selection_set)


def context_var(variable: str, type_: str, frame: Frame, path: tuple[str, ...]) -> ContextVar:
    return ContextVar(variable, type_, len(frame.path), path)
