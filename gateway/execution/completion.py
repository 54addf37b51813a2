"""Completion: walk the operation's shape over the merged subgraph data to produce the client response.

This is where the GraphQL spec's result rules are applied in one place, whatever the subgraphs did: response
keys in the client's order (aliases included; a field the planner selected under an internal alias is read from
``FieldShape.source`` and written under the client's key), ``__typename`` from the runtime type, fields the
client did not ask for dropped (keys, ``@requires``), and null bubbling — a null in a non-null position nulls the nearest
nullable parent (field, list item or list), recording "Cannot return null for non-nullable field".
"""

from __future__ import annotations

from typing import Any

from ..planning.shape import ABSTRACT, LEAF, RAW, ObjectShape, TypeRef

_BUBBLE = object()  # a non-null position received null: the parent must become null


class _Completer:
    __slots__ = ("errors", "invalid", "path")

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.invalid: list[dict[str, Any]] = []  # values the schema does not allow (extensions.valueCompletion)
        self.path: list[Any] = []

    def null_error(self, parent: str, name: str) -> None:
        self.errors.append({
            "message": f"Cannot return null for non-nullable field {parent}.{name}.",
            "path": list(self.path),
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        })

    def obj(self, raw: dict[str, Any], shape: ObjectShape) -> Any:
        out: dict[str, Any] = {}
        path = self.path
        for f in shape.fields:
            ref = f.type
            if ref is None:  # __typename
                out[f.key] = shape.type_name
                continue
            value = raw.get(f.source)
            if value is None and f.alt is not None:
                value = raw.get(f.alt)
            if ref.kind == RAW and ref.of is None:
                out[f.key] = value
                continue
            if ref.values is not None and value is not None and value not in ref.values:
                path.append(f.key)
                done = self._invalid(ref, shape.type_name, f.name)
                path.pop()
                if done is _BUBBLE:
                    return _BUBBLE
                out[f.key] = done
                continue
            if value is None or (ref.of is None and ref.kind == LEAF):
                if value is None and not ref.nullable:
                    if f.source in raw or (f.alt is not None and f.alt in raw):
                        path.append(f.key)
                        self.null_error(shape.type_name, f.name)
                        path.pop()
                    # else: absent, because the entity it belongs to was not found (a null or unknown key):
                    # the null bubbles silently, as Apollo Gateway does, the subgraph having reported nothing
                    return _BUBBLE
                out[f.key] = value
                continue
            path.append(f.key)
            done = self.value(value, ref, f.sub, shape.type_name, f.name)
            path.pop()
            if done is _BUBBLE:
                return _BUBBLE
            out[f.key] = done
        return out

    def value(self, value: Any, ref: TypeRef, sub: dict[str, ObjectShape] | None, parent: str, name: str) -> Any:
        """Complete a non-null raw ``value``; ``None`` if it completes to null in a nullable position."""
        if ref.of is not None:
            if not isinstance(value, list):
                return self._invalid(ref, parent, name)
            items: list[Any] = []
            item_ref = ref.of
            path = self.path
            for i, item in enumerate(value):
                path.append(i)
                if item is None:
                    if not item_ref.nullable:
                        self.null_error(parent, name)
                        path.pop()
                        return None if ref.nullable else _BUBBLE
                    items.append(None)
                elif item_ref.of is None and item_ref.kind == LEAF and (
                        item_ref.values is None or item in item_ref.values):
                    items.append(item)
                else:
                    done = self.value(item, item_ref, sub, parent, name)
                    if done is _BUBBLE:
                        path.pop()
                        return None if ref.nullable else _BUBBLE
                    items.append(done)
                path.pop()
            return items
        if ref.kind == LEAF:
            if ref.values is not None and value not in ref.values:
                return self._invalid(ref, parent, name)
            return value
        if not isinstance(value, dict) or sub is None:
            return self._invalid(ref, parent, name)
        if ref.kind == ABSTRACT:
            # No __typename: an @interfaceObject's object whose concrete type the operation did not need
            shape = sub.get(value.get("__typename") or ref.name)
        else:
            shape = sub.get(ref.name)
        if shape is None:
            if ref.kind == ABSTRACT and "__typename" not in value:
                # an @interfaceObject's object whose concrete type was needed but never came (its owner does
                # not know it): null, silently, as for the fields of any entity that was not found
                return None if ref.nullable else _BUBBLE
            return self._invalid(ref, parent, name)
        done = self.obj(value, shape)
        if done is _BUBBLE:
            return None if ref.nullable else _BUBBLE
        return done

    def _invalid(self, ref: TypeRef, parent: str, name: str) -> Any:
        # A value outside the API schema (an @inaccessible enum value or type, a wrong shape) is nulled; like
        # Apollo Router it is reported in extensions.valueCompletion, not as a field error of the client's.
        self.invalid.append({
            "message": f"Invalid value returned by a subgraph for {parent}.{name}.",
            "path": list(self.path),
        })
        return None if ref.nullable else _BUBBLE


def complete(shape: ObjectShape, raw: dict[str, Any]
             ) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict[str, Any]]]:
    """``(data, errors, invalid)``: the client-shaped data (None if a root non-null field was null), the errors
    completion itself found, and the invalid values it nulled (``extensions.valueCompletion``)."""
    completer = _Completer()
    data = completer.obj(raw, shape)
    return (None if data is _BUBBLE else data), completer.errors, completer.invalid
