"""The compiled view of a response shape under one decision, for :mod:`gateway.policy.respond`'s walk.

Per object shape of a plan (``gateway.planning.shape``) and per (decision result, prepared document): each
field's coordinate, the decision's verdict on it, whether it is a reserved ``_lt_*`` field the rules read, a
pruned (withheld) one, or a released scalar copied as is; per type, its declared subjects, row facts and the row
rules that concern it. Compiled on first use and kept with the plan, so no request repeats it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from types import CodeType
from typing import Any

from cachetools import LRUCache
from graphql import GraphQLObjectType, GraphQLSchema, is_non_null_type

from ..cache_weight import put, weighted_lru
from ..planning.shape import LEAF, OBJECT, RAW, FieldShape, ObjectShape, TypeRef
from .apply import _reads, _SubjectReads
from .model import ProtectionModel, TypeProtection
from .prepare import Prepared, Withheld
from .row_scope import concerns
from .rows import Check, compile_predicate
from .types import RESERVED_PREFIX, FieldEffect, PolicyResult, RowRule

# step kinds, decided when compiling, never per row
FIELD, WITHHELD, RESERVED, TYPENAME, RAW_VALUE = range(5)
ALLOW, MASK, DENY = range(3)
# rows of a node walked before its function is generated: a response of many rows pays for the generation (a
# fraction of a millisecond per node), a plan used once for one row does not
JIT_AFTER = 16

CODE_CACHE_CHARACTERS = 4_000_000  # the source text a code cache holds the compiled code of (a few dozen MB)


def code_cache(characters: int = CODE_CACHE_CHARACTERS) -> LRUCache[str, tuple[CodeType, int]]:
    """Compiled code (and its source's length, the entry's weight) by source text, bounded by the texts' length.

    Compiling is most of the cost of generating (some 0.7 ms for a node of a dozen fields) and the text depends
    only on the node's structure (its constants are numbered, held in the function's namespace), so the plans of
    other callers and decisions over the same shapes reuse it. One per :class:`ResponseCompiler` (no module
    state)."""
    return LRUCache(maxsize=characters, getsizeof=itemgetter(1))


@dataclass(slots=True)
class Step:
    """One field of an object shape with what the decision does to it."""

    key: str  # response key in the execution operation (the client's, or a reserved ``_lt_*`` alias)
    name: str
    source: str  # key in the subgraphs' answers
    alt: str | None
    type: TypeRef | None  # None for __typename (named like FieldShape's: completion reads both)
    sub: dict[str, ObjectShape] | None
    coordinate: str
    kind: int
    effect: FieldEffect | None
    verdict: int  # ALLOW / MASK / DENY of ``effect`` (a mask on an object field applies below it: allow)
    fast: bool  # a released scalar: copied as is when not null (and, for an enum, one of its API values)
    leaf_type: str  # the named type (for mask_fits)
    values: frozenset[str] | None = None  # an enum scalar's API values (TypeRef.values)
    withheld: Withheld | None = None
    withheld_coordinate: str = ""
    withheld_non_null: bool = False
    # a reserved field: True when its raw value is complete as fetched (see quick_check), so the rules read it as
    # is; None when completion must always run
    quick: Callable[[Any], bool] | None = None


@dataclass(slots=True)
class Node:
    """An object shape compiled for one decision."""

    type_name: str
    is_object: bool  # an object type of the API schema (an interface's own view is not: its rows are withheld)
    is_root: bool
    hidden: tuple[Step, ...]  # reserved fields: completed, read by the rules, never returned
    steps: tuple[Step, ...]  # the client's fields, in order
    protection: TypeProtection | None
    reads: _SubjectReads | None
    rules: tuple[RowRule, ...]
    checks: tuple[Check, ...]  # the rules' predicates, compiled (rows.compile_predicate)
    # the node's generated function (respond_fast.generate), once it has been walked ``countdown`` more times
    # (-1: never, or already generated); ``run`` walks a row exactly as ``respond._Walker.obj`` does
    countdown: int = -1
    run: Callable[..., Any] | None = None


class ResponsePlan:
    """The compiled view of one response shape under one decision result and one prepared document; its nodes
    are compiled on first use and kept (the objects it was compiled for are held, so ids stay theirs)."""

    def __init__(self, schema: GraphQLSchema, model: ProtectionModel, shape: ObjectShape, result: PolicyResult,
                 prepared: Prepared, jit_after: int | None = JIT_AFTER, weight: int = 1,
                 code: LRUCache[str, tuple[CodeType, int]] | None = None) -> None:
        self.schema = schema
        # the generated walks' compiled code by source (code_cache), shared by a compiler's plans
        self.code: LRUCache[str, tuple[CodeType, int]] = code if code is not None else code_cache()
        self.weight = weight  # in cache units (gateway.cache_weight), for ResponseCompiler's bound
        self.jit_after = jit_after
        self.model = model
        self.shape = shape
        self.result = result
        self.prepared = prepared
        self._nodes: dict[int, tuple[ObjectShape, Node]] = {}

    def node(self, shape: ObjectShape) -> Node:
        """The compiled node of ``shape`` (a shape of this plan's tree)."""
        found = self._nodes.get(id(shape))
        if found is not None:
            return found[1]
        node = self._compile(shape)
        self._nodes[id(shape)] = (shape, node)  # the shape is held with its node: its id is not reused
        return node

    def _effect(self, coordinate: str) -> FieldEffect:
        found = self.result.fields.get(coordinate)
        if found is None:
            return FieldEffect("withhold", "withhold", "no decision for this field: denied by default")
        return found

    def _compile(self, shape: ObjectShape) -> Node:
        runtime = self.schema.get_type(shape.type_name)
        is_object = isinstance(runtime, GraphQLObjectType)
        is_root = shape is self.shape
        withheld = self.prepared.withheld
        hidden: list[Step] = []
        steps: list[Step] = []
        for f in shape.fields:
            ref = f.type
            coordinate = f"{shape.type_name}.{f.name}"
            leaf = ref
            while leaf is not None and leaf.of is not None:
                leaf = leaf.of
            step = Step(f.key, f.name, f.source, f.alt, ref, f.sub, coordinate, FIELD, None, ALLOW, False,
                        leaf.name if leaf is not None else "", ref.values if ref is not None else None)
            if f.key in withheld:
                pruned = withheld[f.key]
                step.kind = WITHHELD
                step.withheld = pruned
                step.withheld_coordinate = f"{shape.type_name}.{pruned.field_name}"
                definition = runtime.fields.get(pruned.field_name) if is_object else None  # type: ignore[union-attr]
                step.withheld_non_null = definition is not None and is_non_null_type(definition.type)
                if step.withheld.reason is None:
                    step.withheld = Withheld(pruned.field_name, pruned.response_key,
                                             self._effect(step.withheld_coordinate).reason)
                steps.append(step)
                continue
            if f.key.startswith(RESERVED_PREFIX):
                step.kind = RESERVED
                step.quick = quick_check(ref, f.sub) if f.alt is None else None
                hidden.append(step)
                continue
            if ref is None:
                step.kind = TYPENAME
            elif ref.kind == RAW and ref.of is None:
                step.kind = RAW_VALUE  # __schema / __type at the root: the API schema, no personal data
            else:
                effect = self._effect(coordinate)
                composite = leaf is not None and leaf.kind != LEAF
                verdict = {"allow": ALLOW, "mask": MASK}.get(effect.effect, DENY)
                if verdict == MASK and composite:
                    # a mask concerns values: on an object field it applies to the leaves below, which have their
                    # own decisions (e.g. Query.person is IDENTIFIER, Person.personalId is pseudonymised)
                    verdict = ALLOW
                step.effect, step.verdict = effect, verdict
                step.fast = verdict == ALLOW and ref.of is None and ref.kind == LEAF
            steps.append(step)
        protection = self.model.of(shape.type_name)
        personal = self.model.holds_personal(shape.type_name)
        name = shape.type_name
        rules = () if is_root else tuple(r for r in self.result.row_rules if concerns(r, name, protection, personal))
        countdown = -1 if self.jit_after is None or not is_object else self.jit_after
        return Node(shape.type_name, is_object, is_root, tuple(hidden), tuple(steps), protection,
                    _reads(protection), rules, tuple(compile_predicate(r.when) for r in rules), countdown)


def quick_check(ref: TypeRef | None, sub: dict[str, ObjectShape] | None) -> Callable[[Any], bool] | None:
    """A test that a raw value of type ``ref`` (selecting ``sub``) is what completion would make of it, up to keys
    it did not select: every non-null position holds a value, every enum value is the API's, every object is
    one, of the one concrete type selected, under the keys selected. The rules read a reserved field's subject
    keys and facts by key, so such a value serves as is; any other value is completed (nulls bubble, invalid
    values are reported) exactly as before. None when no such test applies (abstract types, renamed keys,
    ``__typename``): then completion always runs."""
    if ref is None or ref.kind == RAW:
        return None
    nullable = ref.nullable
    if ref.of is not None:
        item = quick_check(ref.of, sub)
        if item is None:
            return None
        return lambda v: (v is None and nullable) or (type(v) is list and all(item(x) for x in v))
    if ref.kind == LEAF:
        values = ref.values
        if values is None:
            return lambda v: v is not None or nullable
        return lambda v: (v is None and nullable) or (type(v) is str and v in values)
    shape = sub.get(ref.name) if sub is not None and ref.kind == OBJECT else None
    if shape is None or len(sub or ()) != 1:
        return None
    checks = _field_checks(shape.fields)
    if checks is None:
        return None
    return lambda v: (v is None and nullable) or (type(v) is dict and all(c(v.get(k)) for k, c in checks))


def _field_checks(fields: list[FieldShape]) -> list[tuple[str, Callable[[Any], bool]]] | None:
    checks = []
    for f in fields:
        check = quick_check(f.type, f.sub) if f.key == f.source and f.alt is None else None
        if check is None:
            return None
        checks.append((f.key, check))
    return checks


class ResponseCompiler:
    """A bounded cache of :class:`ResponsePlan` by (shape, decision result, prepared document)."""

    def __init__(self, schema: GraphQLSchema, model: ProtectionModel, size: int = 512) -> None:
        self.schema = schema
        self.model = model
        # weighed by the operation's size (gateway.cache_weight): a plan holds a node per object of its shape
        self._plans: LRUCache[tuple[int, int, int], ResponsePlan] = weighted_lru(size, lambda p: p.weight)
        self._code = code_cache()

    def plan(self, shape: ObjectShape, result: PolicyResult, prepared: Prepared, weight: int = 1) -> ResponsePlan:
        """The compiled plan (a cached one only if it was compiled for these very objects); ``weight``: its
        operation's size in cache units (:func:`gateway.cache_weight.units`)."""
        key = (id(shape), id(result), id(prepared))
        plan = self._plans.get(key)
        if plan is None or plan.shape is not shape or plan.result is not result or plan.prepared is not prepared:
            plan = put(self._plans, key, ResponsePlan(self.schema, self.model, shape, result, prepared,
                                                      weight=weight, code=self._code))
        return plan
