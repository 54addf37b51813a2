"""Response keys of subgraph operations: the planner's own fields can never be displaced by a client alias.

The planner adds fields of its own to subgraph selections: ``__typename``, entity key fields and ``@requires``
fields, always under their own name. A client alias equal to one of those names on a *different* field
(``personalId: birthRegistration``, ``__typename: fullName``) would take that response key in the subgraph's
answer, so the representation sent to the next subgraph, or the runtime type read from ``__typename``, would be
the client's value. Such client fields are therefore selected under an internal alias (``_lt_a__<client key>``)
in the subgraph operation; completion reads them from there and writes them under the client's key, and error
paths are translated back (``client_path``). The decision depends only on the response key and the field name,
so the planner, the response shape and error paths agree without passing a mapping around.

The ``_lt_`` prefix is reserved (client aliases starting with it are refused before planning).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import FieldNode, SelectionSetNode

from ..supergraph import Supergraph

INTERNAL_PREFIX = "_lt_a__"
TYPENAME = "__typename"


def _field_names(selection: SelectionSetNode | None, out: set[str]) -> None:
    if selection is None:
        return
    for sel in selection.selections:
        if isinstance(sel, FieldNode):
            out.add(sel.name.value)
            _field_names(sel.selection_set, out)


def planner_keys(supergraph: Supergraph) -> frozenset[str]:
    """Every response key the planner may add to a subgraph selection: ``__typename`` and the names of all
    key and ``@requires`` fields (nested ones included) of the supergraph."""
    out = {TYPENAME}
    for meta in supergraph.types.values():
        for keys in meta.keys.values():
            for key in keys:
                _field_names(key.selection, out)
        for field_meta in meta.fields.values():
            for info in field_meta.graphs.values():
                _field_names(info.requires, out)
    return frozenset(out)


def source_key(key: str, name: str, reserved: frozenset[str]) -> str:
    """The response key a client field (response ``key``, field ``name``) has in subgraph operations."""
    if key != name and key in reserved:
        return INTERNAL_PREFIX + key
    return key


TYPED_PREFIX = "_lt_t_"


def typed_key(type_name: str, key: str) -> str:
    """The response key of a field selected under a type condition whose type in the subgraph differs from the
    supergraph's (``User.id: ID!`` beside ``Admin.id: ID`` in one union selection cannot share a response key:
    FieldsInSetCanMerge). Completion reads it as :attr:`FieldShape.alt`."""
    return f"{TYPED_PREFIX}{type_name}__{key}"


def client_key(key: Any) -> Any:
    """The client's response key of a subgraph response key (list indexes pass through)."""
    if isinstance(key, str) and key.startswith("_lt_"):
        if key.startswith(INTERNAL_PREFIX):
            return key[len(INTERNAL_PREFIX):]
        if key.startswith(TYPED_PREFIX):
            return client_key(key[len(TYPED_PREFIX):].split("__", 1)[-1])
    return key


def client_path(path: Iterable[Any]) -> list[Any]:
    """A path in subgraph response keys, as the client's path."""
    return [client_key(p) for p in path]
