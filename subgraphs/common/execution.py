"""A faster graphql-core execution context for the subgraphs: plain leaf fields completed in one step.

Most of what a subgraph returns are leaf fields without a resolver of their own (``kind``, ``registrationNumber``,
``fullName``…): strawberry's basic-field getter (``getattr(source, python_name)``) followed by the scalar's or
enum's output coercion. graphql-core still runs its whole per-field machinery for each of them (a ``Path``, a
resolve info, the resolver call, awaitable checks, ``complete_value`` with its type tests): for 200 persons with
their events that was most of a request's CPU (``bench/HISTORY.md``, issue 13). This context plans each selection
set once per request (graphql-core memoizes the grouped field set per type and field group, so one plan serves
every row of a list) and completes such fields directly: same getter, same coercion, same result. Likewise an
object held by a plain attribute (an event's ``subject`` entity reference) whose own selection is leaves only,
the runtime type of an abstract value (resolved once per Python class per request: strawberry resolves a plain
strawberry object by its class), and ``complete_value`` for a present object (no chain of type tests per row).

It is the standard strawberry schema and executor otherwise (``execution_context_class`` is a documented
``strawberry.Schema`` option): fields with resolvers, arguments, objects and abstract types go through
graphql-core unchanged; a null in a non-null field or a coercion error makes the whole object go the ordinary way,
so errors are reported exactly as before; with any field middleware (an extension that wraps resolvers) the fast
path is off.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    GraphQLUnionType,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
LEAF, OBJECT, SLOW = "leaf", "object", "slow"
# (LEAF, response name, python attribute or None for __typename, coerce, nullable, list item nullable or None)
# (OBJECT, response name, python attribute, object type, nullable): a plain attribute holding an object
# (SLOW, response name): graphql-core's execute_field
Entry = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """How to complete one selection set on one object type."""

    entries: tuple[Entry, ...]
    leaves_only: bool


_SKIP = object()  # _inline_object: this field goes the ordinary way


class _Fallback(Exception):
    """A value the fast path does not complete itself (null in a non-null field, coercion failure)."""


_BUILT_IN = (GraphQLString, GraphQLID, GraphQLInt, GraphQLBoolean)
_PLAIN: dict[str, Callable[[Any], bool]] = {
    "String": lambda v: type(v) is str,
    "ID": lambda v: type(v) is str,
    "Int": lambda v: type(v) is int and -(2**31) <= v < 2**31,
    "Boolean": lambda v: type(v) is bool,
}


@lru_cache(maxsize=256)  # keyed by the schema's (immutable, schema-lifetime) leaf type objects
def _coercer(leaf: Any) -> Callable[[Any], Any]:
    """The output coercion of a leaf type; for strawberry enums a member -> name table first (the enum type's own
    coercion scans its values for every member)."""
    coerce: Callable[[Any], Any] = leaf.coerce_output_value
    plain = _PLAIN.get(leaf.name) if leaf in _BUILT_IN else None
    if plain is not None:  # the value already is what the built-in scalar's coercion would return
        return lambda value: value if plain(value) else coerce(value)
    if isinstance(leaf, GraphQLEnumType):
        names = {v.value: name for name, v in leaf.values.items() if isinstance(v.value, enum.Enum)}
        if names:
            def by_member(value: Any) -> Any:
                name = names.get(value) if isinstance(value, enum.Enum) else None
                return name if name is not None else coerce(value)

            return by_member
    return coerce


def _entry(response_name: str, schema: Any, parent_type: GraphQLObjectType, details: Any) -> Entry:
    """The plan entry of one field."""
    node = details[0].node
    name = node.name.value
    slow = (SLOW, response_name)
    if node.arguments:
        return slow
    if name == "__typename":
        return (LEAF, response_name, None, str, False, None)
    field_def = schema.get_field(parent_type, name)
    if field_def is None or field_def.args:
        return slow
    definition = (field_def.extensions or {}).get(BACKREF)
    resolve = field_def.resolve
    if definition is None or not getattr(definition, "is_basic_field", False) or resolve is None:
        return slow
    if getattr(resolve, "__name__", "") != "_get_basic_result" or definition.default_resolver is not getattr:
        return slow
    type_: GraphQLOutputType = field_def.type
    nullable = not isinstance(type_, GraphQLNonNull)
    if not nullable:
        type_ = type_.of_type  # type: ignore[union-attr]
    if isinstance(type_, GraphQLObjectType) and type_.is_type_of is None:
        return (OBJECT, response_name, definition.python_name, type_, nullable)
    item_nullable: bool | None = None
    if isinstance(type_, GraphQLList):
        item = type_.of_type
        item_nullable = not isinstance(item, GraphQLNonNull)
        type_ = item if item_nullable else item.of_type  # type: ignore[union-attr]
    if not is_leaf_type(type_):
        return slow
    return (LEAF, response_name, definition.python_name, _coercer(type_), nullable, item_nullable)


def _complete(value: Any, coerce: Callable[[Any], Any], nullable: bool) -> Any:
    if value is None:
        if nullable:
            return None
        raise _Fallback
    coerced = coerce(value)
    if coerced is None or coerced is Undefined:
        raise _Fallback
    return coerced


def _leaves(plan: Plan, parent_type: GraphQLObjectType, source: Any, out: dict[str, Any]) -> dict[str, Any]:
    """The leaf entries of ``plan`` on ``source`` into ``out``; raises instead of recording any error."""
    for entry in plan.entries:
        if entry[0] != LEAF:
            continue
        _kind, response_name, attribute, coerce, nullable, item_nullable = entry
        if attribute is None:
            out[response_name] = parent_type.name
            continue
        value = getattr(source, attribute)
        if item_nullable is None or value is None:
            out[response_name] = _complete(value, coerce, nullable)
        elif isinstance(value, str | bytes | dict):
            raise _Fallback
        else:
            out[response_name] = [_complete(v, coerce, item_nullable) for v in value]
    return out


class SubgraphExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context with plain leaf fields completed directly (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(grouped field set) -> (the set, kept alive so that its id is not reused; its plan or None)
        self._plans: dict[int, tuple[Any, Plan | None]] = {}
        # (abstract type, Python class) -> its object type: strawberry resolves a plain (non-generic, not cast)
        # strawberry object by its class alone, so each class is resolved once per request, not once per row
        self._runtime_types: dict[tuple[Any, type], GraphQLObjectType] = {}
        manager = self.middleware_manager
        self._fast = manager is None or not getattr(manager, "middlewares", ())

    def complete_value(  # type: ignore[override]
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's ``complete_value`` without its chain of type tests for a present object or abstract
        value (every row of a list of events, sentences...): the same two calls it ends in."""
        if result is not None and result is not Undefined and not isinstance(result, Exception):
            inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
            if isinstance(inner, GraphQLInterfaceType | GraphQLUnionType):
                return self.complete_abstract_value(inner, field_details_list, info, path, result, position_context)
            if isinstance(inner, GraphQLObjectType):
                return self.complete_object_value(inner, field_details_list, info, path, result, position_context)
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def complete_abstract_value(  # type: ignore[override]
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        cls = type(result)
        key = (return_type, cls)
        runtime = self._runtime_types.get(key)
        if runtime is None or getattr(result, TYPE_CAST_ATTRIBUTE, None) is not None:
            definition = getattr(cls, "__strawberry_definition__", None)
            cacheable = (definition is not None and not definition.is_graphql_generic
                         and getattr(result, TYPE_CAST_ATTRIBUTE, None) is None and return_type.resolve_type)
            if not cacheable:
                return super().complete_abstract_value(return_type, field_details_list, info, path, result,
                                                       position_context)
            name = return_type.resolve_type(result, info, return_type)
            if not isinstance(name, str):  # an awaitable or anything unusual: the ordinary way
                return super().complete_abstract_value(return_type, field_details_list, info, path, result,
                                                       position_context)
            runtime = self.ensure_valid_runtime_type(name, return_type, field_details_list, info, result)
            self._runtime_types[key] = runtime
        return self.complete_object_value(runtime, field_details_list, info, path, result, position_context)

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Plan | None:
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        entries = tuple(_entry(name, self.schema, parent_type, details)
                        for name, details in grouped_field_set.items())
        kinds = {entry[0] for entry in entries}
        plan = None if kinds == {SLOW} else Plan(entries, kinds == {LEAF})
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(parent_type, grouped_field_set) if self._fast else None
        if plan is not None:
            try:
                values = _leaves(plan, parent_type, source_value, {})
            except Exception:  # anything unusual: graphql-core completes (and reports) it the ordinary way
                plan = None
            else:
                if plan.leaves_only:
                    return values
                return self._execute_rest(parent_type, source_value, path, grouped_field_set, plan, values,
                                          position_context)
        return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)

    def _inline_object(self, entry: Entry, source: Any, details: Any) -> Any:
        """An object held by a plain attribute, completed here when its own selection is leaves only; ``_SKIP``
        when graphql-core must (a null in a non-null field, deferred or non-leaf sub-selections, any error)."""
        _kind, _name, attribute, object_type, nullable = entry
        value = getattr(source, attribute)
        if value is None:
            return None if nullable else _SKIP
        grouped, deferred, _forbidden = self.collect_subfields(object_type, details)
        plan = None if deferred else self._plan(object_type, grouped)
        if plan is None or not plan.leaves_only:
            return _SKIP
        try:
            return _leaves(plan, object_type, value, {})
        except Exception:
            return _SKIP

    def _execute_rest(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        plan: Plan,
        values: dict[str, Any],
        position_context: Any,
    ) -> Any:
        """The object and ordinary fields of ``plan``, in response order, as graphql-core's own
        ``execute_fields`` runs them (the leaves are in ``values`` already)."""
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for entry in plan.entries:
                kind, response_name = entry[0], entry[1]
                if kind == LEAF:
                    results[response_name] = values[response_name]
                    continue
                details = grouped_field_set[response_name]
                if kind == OBJECT:
                    inline = self._inline_object(entry, source_value, details)
                    if inline is not _SKIP:
                        results[response_name] = inline
                        continue
                result = self.execute_field(parent_type, source_value, details,
                                            Path(path, response_name, parent_type.name), position_context)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:  # as graphql-core: no gather for a single field
                name = awaitable_fields[0]
                results[name] = await results[name]
                return results
            awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()
