"""Client documents: parse, validate against the API schema, check limits; cached by document hash.

Parsing and validation are the expensive per-request steps a gateway can avoid: a client sends the same few
documents again and again, so the result (or the refusal) is kept in a bounded LRU keyed by
``sha256(query)`` and the operation name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from ..cache_weight import put, units, weighted_lru
from ..errors import GatewayError
from .cost import CostLimits, check_cost
from .limits import OperationLimits, strip_suggestions


@dataclass(slots=True)
class ParsedOperation:
    """A parsed, validated operation ready for policy and planning; immutable once cached."""

    document_hash: str
    document: DocumentNode
    operation: OperationDefinitionNode
    operation_name: str | None
    operation_type: str  # "query" | "mutation"
    fragments: dict[str, FragmentDefinitionNode]
    condition_variables: tuple[str, ...]  # variables deciding @skip/@include (part of the plan cache key)
    introspection: bool  # selects __schema / __type at the root
    depth: int
    field_count: int
    cache_key: str = field(default="")


@dataclass(slots=True)
class CacheStats:
    hits: int = 0
    misses: int = 0


def document_hash(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class _Walker:
    """Depth, field count, @skip/@include variables and root introspection in one walk."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.conditions: set[str] = set()
        self.introspection = False
        self._memo: dict[str, tuple[int, int]] = {}

    def walk(self, selection_set: SelectionSetNode, root: bool = False) -> tuple[int, int]:
        depth = fields = 0
        for selection in selection_set.selections:
            for d in selection.directives or ():
                if d.name.value in ("skip", "include"):
                    for a in d.arguments:
                        if isinstance(a.value, VariableNode):
                            self.conditions.add(a.value.name.value)
            if isinstance(selection, FieldNode):
                fields += 1
                if root and selection.name.value in ("__schema", "__type"):
                    self.introspection = True
                if selection.selection_set is not None:
                    d_, f_ = self.walk(selection.selection_set)
                    depth, fields = max(depth, d_ + 1), fields + f_
                else:
                    depth = max(depth, 1)
            elif isinstance(selection, InlineFragmentNode):
                d_, f_ = self.walk(selection.selection_set, root)
                depth, fields = max(depth, d_), fields + f_
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in self._memo or root:
                    self._memo[name] = self.walk(self.fragments[name].selection_set, root)
                d_, f_ = self._memo[name]
                depth, fields = max(depth, d_), fields + f_
        return depth, fields


def _weight(entry: ParsedOperation | GatewayError) -> int:
    return units(entry.field_count) if isinstance(entry, ParsedOperation) else 1


class DocumentCache:
    """Parse + validate + limit-check client documents against ``schema``, with an LRU of results.

    Refusals are cached too (as the :class:`GatewayError` to raise) so that a client repeating a bad document
    costs nothing either.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        *,
        size: int = 1000,
        introspection: bool = True,
        max_depth: int = 15,
        max_fields: int = 2000,
        cost: CostLimits | None = None,
        limits: OperationLimits | None = None,
        suggestions: bool = True,
    ) -> None:
        self.schema = schema
        self.limits = limits  # pre-validation limits (gateway.supergraph.limits); None: none
        self.suggestions = suggestions
        self.rules = list(specified_rules)
        if not introspection:
            self.rules.append(NoSchemaIntrospectionCustomRule)
        self.max_depth = max_depth
        self.max_fields = max_fields
        self.cost = cost or CostLimits()
        # weighed by operation size (gateway.cache_weight): ``size`` typical operations, fewer large ones
        self.cache: LRUCache[tuple[str, str | None], ParsedOperation | GatewayError] = weighted_lru(
            size, _weight)
        self.costs: LRUCache[tuple[Any, ...], int] = LRUCache(4 * size)  # estimates (gateway.supergraph.cost)
        self.stats = CacheStats()

    def get(self, query: str, operation_name: str | None) -> ParsedOperation:
        """The validated operation, or raise :class:`GatewayError` (400) saying what is wrong."""
        doc_hash = document_hash(query)
        key = (doc_hash, operation_name)
        entry = self.cache.get(key)
        if entry is None:
            self.stats.misses += 1
            entry = put(self.cache, key, self._load(query, doc_hash, operation_name))
        else:
            self.stats.hits += 1
        if isinstance(entry, GatewayError):
            raise entry
        return entry

    def check_cost(self, operation: ParsedOperation, variables: dict[str, Any]) -> int:
        """The operation's estimated rows with these coerced variables (``gateway.supergraph.cost``), or raise
        ``QUERY_TOO_COMPLEX`` over the limit: called before the policy and any subgraph is asked."""
        return check_cost(self.schema, operation, variables, self.cost, self.costs)

    def _load(self, query: str, doc_hash: str, operation_name: str | None) -> ParsedOperation | GatewayError:
        refusal = self.limits.check_text(query) if self.limits else None
        if refusal is not None:
            return refusal
        try:
            document = parse(query)
        except GraphQLError as exc:
            return _validation_error([exc], self.suggestions)
        refusal = self.limits.check_document(document, operation_name) if self.limits else None
        if refusal is not None:
            return refusal
        errors = validate(self.schema, document, self.rules)
        if errors:
            return _validation_error(errors, self.suggestions)
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None:
            if len(operations) != 1:
                return GatewayError("BAD_USER_INPUT", "Must provide operation name if query contains multiple operations.")
            operation = operations[0]
        else:
            matching = [o for o in operations if o.name is not None and o.name.value == operation_name]
            if not matching:
                return GatewayError("BAD_USER_INPUT", f'Unknown operation named "{operation_name}".')
            operation = matching[0]
        kind = operation.operation.value
        if kind == "subscription":
            return GatewayError("BAD_USER_INPUT", "Subscriptions are not supported by this gateway.")
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        walker = _Walker(fragments)
        depth, count = walker.walk(operation.selection_set, root=True)
        if depth > self.max_depth:
            return GatewayError("QUERY_TOO_COMPLEX", f"Operation depth {depth} exceeds the limit of {self.max_depth}.",
                                extensions={"depth": depth, "maxDepth": self.max_depth})
        if count > self.max_fields:
            return GatewayError("QUERY_TOO_COMPLEX", f"Operation selects {count} fields, more than {self.max_fields}.",
                                extensions={"fields": count, "maxFields": self.max_fields})
        return ParsedOperation(
            document_hash=doc_hash,
            document=document,
            operation=operation,
            operation_name=operation.name.value if operation.name else None,
            operation_type=kind,
            fragments=fragments,
            condition_variables=tuple(sorted(walker.conditions)),
            introspection=walker.introspection,
            depth=depth,
            field_count=count,
            cache_key=f"{doc_hash}:{operation_name or ''}",
        )


def _validation_error(errors: list[GraphQLError], suggestions: bool = True) -> GatewayError:
    def text(e: GraphQLError) -> str:
        return e.message if suggestions else strip_suggestions(e.message)

    return GatewayError("GRAPHQL_VALIDATION_FAILED", text(errors[0]), errors=[
        {
            "message": text(e),
            **({"locations": [{"line": loc.line, "column": loc.column} for loc in e.locations]} if e.locations else {}),
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
        }
        for e in errors
    ])


def condition_values(operation: ParsedOperation, variables: dict[str, Any]) -> tuple[bool, ...]:
    """Values of the @skip/@include variables: plans differ only by these, so they join the plan cache key."""
    return tuple(bool(variables.get(name)) for name in operation.condition_variables)


def is_included(node: Any, variables: Mapping[str, Any]) -> bool:
    """Evaluate ``@skip`` / ``@include`` on a selection with the (coerced) variable values."""
    for d in node.directives or ():
        name = d.name.value
        if name not in ("skip", "include"):
            continue
        arg = d.arguments[0].value if d.arguments else None
        if isinstance(arg, BooleanValueNode):
            value = arg.value
        elif isinstance(arg, VariableNode):
            value = bool(variables.get(arg.name.value))
        else:
            value = False
        if (name == "skip" and value) or (name == "include" and not value):
            return False
    return True


def type_applies(schema: GraphQLSchema, condition: str | None, runtime: GraphQLObjectType) -> bool:
    """Does a fragment with type ``condition`` apply to objects of type ``runtime``?"""
    if condition is None or condition == runtime.name:
        return True
    cond_type = schema.get_type(condition)
    if cond_type is None or isinstance(cond_type, GraphQLObjectType):
        return False
    return schema.is_sub_type(cond_type, runtime)  # type: ignore[arg-type]


def collect_fields(
    schema: GraphQLSchema,
    runtime: GraphQLObjectType,
    selection_sets: Iterable[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> dict[str, list[FieldNode]]:
    """Fields selected on objects of type ``runtime``, by response key, fragments flattened, conditions applied
    (the spec's CollectFields)."""
    out: dict[str, list[FieldNode]] = {}

    def walk(selection_set: SelectionSetNode) -> None:
        for sel in selection_set.selections:
            if not is_included(sel, variables):
                continue
            if isinstance(sel, FieldNode):
                key = sel.alias.value if sel.alias else sel.name.value
                out.setdefault(key, []).append(sel)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else None
                if type_applies(schema, cond, runtime):
                    walk(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode):
                frag = fragments.get(sel.name.value)
                if frag is not None and type_applies(schema, frag.type_condition.name.value, runtime):
                    walk(frag.selection_set)

    for selection_set in selection_sets:
        walk(selection_set)
    return out
