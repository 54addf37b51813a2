"""Static cost of an operation: how many objects (rows) it may make the subgraphs return, before any is asked.

Computed from the client's operation and its coerced variables, fragments expanded and ``@skip``/``@include``
applied (the same CollectFields as planning), each response key counted (so aliases fan out). Every field
returning objects costs the objects it returns, times the objects its parent stands for:

- a list field returns, per parent object, as many objects as the length of its ``[ID]`` list argument (ids per
  call: ``persons(personalIds:)``), else its ``first:`` argument, else what a connection above it asked with
  ``first:`` (``searchPersons(first:) { edges }``), else ``default_list_size``; a non-list field returns one;
- below an interface or union, the most expensive possible type counts (an object has one type);
- leaves and introspection (answered by the gateway) cost nothing.

So ``persons(personalIds: <200 ids>) { sentences { charges { article } } }`` costs
``200 * (1 + 10 * (1 + 10))`` = 22,200 with the default list size 10. An operation over ``max_cost`` is refused
with ``QUERY_TOO_COMPLEX`` naming the estimate and the limit. The walk is memoized per (type, selections,
inherited ``first:``), so fragment bombs cost no more than their distinct selections.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    GraphQLArgument,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    value_from_ast,
)
from graphql.pyutils import Undefined

from ..errors import GatewayError

if TYPE_CHECKING:
    from .documents import ParsedOperation

DEFAULT_MAX_COST = 50_000
DEFAULT_LIST_SIZE = 10


@dataclass(frozen=True, slots=True)
class CostLimits:
    """``max_cost``: estimated rows allowed per operation; ``default_list_size``: rows assumed per list field
    whose arguments say nothing about its length."""

    max_cost: int = DEFAULT_MAX_COST
    default_list_size: int = DEFAULT_LIST_SIZE


def _list_depth(gql_type: Any) -> int:
    lists = 0
    while isinstance(gql_type, GraphQLNonNull | GraphQLList):
        if isinstance(gql_type, GraphQLList):
            lists += 1
        gql_type = gql_type.of_type
    return lists


def _is_id_list(gql_type: Any) -> bool:
    if isinstance(gql_type, GraphQLNonNull):
        gql_type = gql_type.of_type
    return isinstance(gql_type, GraphQLList) and get_named_type(gql_type).name == "ID"


def _default(arg: GraphQLArgument) -> Any:
    """An argument's default value (graphql-core 3.3 may keep it as a literal in ``arg.default``)."""
    if arg.default_value is not Undefined:
        return arg.default_value
    default = getattr(arg, "default", None)
    if default is None:
        return Undefined
    literal = getattr(default, "literal", Undefined)
    if literal is not Undefined and literal is not None:
        return value_from_ast(literal, arg.type)
    return getattr(default, "value", Undefined)


class _Estimate:
    """One estimate (one operation, one set of variable values)."""

    def __init__(self, schema: GraphQLSchema, operation: ParsedOperation, variables: dict[str, Any],
                 default_list_size: int) -> None:
        from .documents import collect_fields  # documents imports this module: resolve at use

        self.collect = collect_fields
        self.schema = schema
        self.fragments = operation.fragments
        self.variables = variables
        self.default = default_list_size
        self.memo: dict[tuple[str, tuple[int, ...], int | None], int] = {}

    def object_cost(self, runtime: GraphQLObjectType, sets: list[SelectionSetNode], page: int | None) -> int:
        """Rows below one object of type ``runtime`` selecting ``sets`` (``page``: a connection's ``first:``)."""
        key = (runtime.name, tuple(id(s) for s in sets), page)
        cached = self.memo.get(key)
        if cached is not None:
            return cached
        self.memo[key] = 0  # a cycle cannot happen in a finite document; guard anyway
        total = 0
        for nodes in self.collect(self.schema, runtime, sets, self.fragments, self.variables).values():
            name = nodes[0].name.value
            if name.startswith("__"):
                continue
            definition = runtime.fields.get(name)
            if definition is None:
                continue
            total += self.field_cost(definition, nodes, page)
        self.memo[key] = total
        return total

    def field_cost(self, definition: GraphQLField, nodes: list[FieldNode], page: int | None) -> int:
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        args = self._arguments(definition, nodes[0])
        lists = _list_depth(definition.type)
        first = args.get("first")
        count = 1
        if lists:
            count = self._length(definition, args, page)
            for _ in range(lists - 1):
                count *= self.default
        child_page = first if isinstance(first, int) and first >= 0 and not lists else None
        sets = [n.selection_set for n in nodes if n.selection_set is not None]
        runtimes = self.schema.get_possible_types(named) if is_abstract_type(named) else [named]  # type: ignore[arg-type]
        below = max((self.object_cost(t, sets, child_page) for t in runtimes), default=0)  # type: ignore[arg-type]
        return count * (1 + below)

    def _length(self, definition: GraphQLField, args: dict[str, Any], page: int | None) -> int:
        ids = [len(value) for name, value in args.items()
               if isinstance(value, list) and _is_id_list(definition.args[name].type)]
        if ids:
            return max(ids)
        first = args.get("first")
        if isinstance(first, int) and first >= 0:
            return first
        return page if page is not None else self.default

    def _arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """Argument values (variables substituted, defaults applied); validated already, so an odd value is
        only left out (the estimate then falls back to the defaults)."""
        if not definition.args:
            return {}
        given = {a.name.value: a.value for a in node.arguments or ()}
        out: dict[str, Any] = {}
        for name, arg in definition.args.items():
            value = value_from_ast(given[name], arg.type, self.variables) if name in given else Undefined
            if value is Undefined:  # not given, or a variable not provided: the argument's default (spec)
                value = _default(arg)
            if value is not Undefined and value is not None:
                out[name] = value
        return out


def estimate_cost(schema: GraphQLSchema, operation: ParsedOperation, variables: dict[str, Any],
                  default_list_size: int = DEFAULT_LIST_SIZE) -> int:
    """The estimated rows (objects) ``operation`` may return with these coerced ``variables``."""
    root = schema.mutation_type if operation.operation_type == "mutation" else schema.query_type
    if root is None:
        return 0
    return _Estimate(schema, operation, variables, default_list_size).object_cost(
        root, [operation.operation.selection_set], None)


def variables_signature(variables: dict[str, Any]) -> tuple[Any, ...] | None:
    """What of ``variables`` the estimate can depend on, as a cache key; None when it cannot be told.

    The estimate reads variables only as list lengths (id lists), integers (``first:``), booleans
    (``@include``/``@skip``) and nulls (defaults apply): a string is the same to it whatever it says, a list the
    same whatever its items are (deeper lists count ``default_list_size`` each). Input objects and floats are not
    reduced (None: not cached).
    """
    out = []
    for name in sorted(variables):
        value = variables[name]
        kind = type(value)
        if value is None or kind is bool or kind is int:
            out.append((name, kind.__name__, value))
        elif kind is str:
            out.append((name, "str"))
        elif kind is list and all(type(item) is str or type(item) is int or item is None for item in value):
            out.append((name, "list", len(value)))
        else:
            return None
    return tuple(out)


def check_cost(schema: GraphQLSchema, operation: ParsedOperation, variables: dict[str, Any],
               limits: CostLimits, cache: MutableMapping[tuple[Any, ...], int] | None = None) -> int:
    """The estimate, or raise ``QUERY_TOO_COMPLEX`` (HTTP 400) if it exceeds ``limits.max_cost``; ``cache`` keeps
    estimates by operation and :func:`variables_signature` (a client sends the same shapes again and again)."""
    signature = variables_signature(variables) if cache is not None else None
    key = (operation.document_hash, operation.operation_name, signature)
    cost = cache.get(key) if cache is not None and signature is not None else None
    if cost is None:
        cost = estimate_cost(schema, operation, variables, limits.default_list_size)
        if cache is not None and signature is not None:
            cache[key] = cost
    if cost > limits.max_cost:
        raise GatewayError(
            "QUERY_TOO_COMPLEX",
            f"Operation cost {cost} (estimated rows) exceeds the limit of {limits.max_cost}; "
            "ask for fewer ids, a smaller `first:`, or fewer aliases.",
            extensions={"cost": cost, "maxCost": limits.max_cost},
        )
    return cost
