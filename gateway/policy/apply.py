"""``apply``: walk the response along the (prepared) operation, evaluate every row rule on every row of a type
with data subjects (docs/PROTECTION.md), withhold and mask fields, strip ``_lt_*`` keys and record what was done
for ``extensions.policy`` and the audit trail (including every subject of every row returned)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)

from .masks import apply_mask, mask_fits
from .model import ProtectionModel, TypeProtection
from .prepare import (
    ROW_FACT_PREFIX,
    TYPE_ALIAS,
    Prepared,
    Withheld,
    facts_alias,
    self_key_alias,
    subject_alias,
)
from .row_scope import concerns
from .rows import Check, matches
from .types import (
    RESERVED_PREFIX,
    SUBJECT_KEY,
    Applied,
    FieldDecision,
    FieldEffect,
    RowRule,
)
from .walk import collect_fields, fragments_of, operation_of

UNKNOWN_FACTS = "the data subject's protection facts could not be established, so the rule applies"

_FILTERED: Any = object()
# a row a silent rule filtered out: a list drops it, a field becomes null, and nothing says why (it answers as a
# row that does not exist: no error, no extensions.policy entry)
SILENT: Any = object()


class _Bubble(Exception):
    """A null in a non-null position: the nearest nullable parent becomes null (GraphQL spec 6.4.4)."""


@dataclass(frozen=True, slots=True)
class _Step:
    """One response key of a selection set on a concrete type, resolved once per request."""

    key: str
    name: str
    coordinate: str
    definition: Any  # GraphQLField | None
    selection_set: SelectionSetNode | None  # the merged sub-selection of composite fields
    effect: FieldEffect | None  # the decision's effect on this coordinate (None for meta and reserved keys)
    kind: int  # one of the _FIELD.._INTROSPECTION constants: decided once, not per row
    fast: bool  # a released leaf: copied as is when not null


_FIELD, _WITHHELD, _RESERVED, _TYPENAME, _INTROSPECTION, _UNKNOWN = range(6)


# One data subject of a row: (its key, None if it could not be read; its facts, None when unknown). A plain
# tuple: a response of 200 persons with their events makes thousands of them.
Subject = tuple[str | None, Mapping[str, Any] | None]
_UNKNOWN_SUBJECT: Subject = (None, None)


@dataclass(frozen=True, slots=True)
class _SubjectReads:
    """Where a row type's subjects are in its rows (response keys computed once per request, not per row)."""

    inherit: bool
    own: bool  # the type declares subjects of its own
    self_read: tuple[str, str] | None  # (key alias, facts alias) of an entity that is its own subject
    fields: tuple[tuple[str, str, str], ...]  # (subject field alias, key field, facts alias)


def _reads(protection: TypeProtection | None) -> _SubjectReads | None:
    if protection is None:
        return None
    self_read = None
    if protection.self_key is not None:
        self_read = (self_key_alias(protection.self_key), facts_alias(protection.name))
    fields = tuple((subject_alias(d.field, d.entity), d.key, facts_alias(d.entity)) for d in protection.subject_fields)
    return _SubjectReads(protection.inherit, protection.declares_own_subjects, self_read, fields)


def _kind(key: str, name: str, definition: Any, withheld: Mapping[str, Withheld]) -> int:
    if key in withheld:
        return _WITHHELD
    if key.startswith(RESERVED_PREFIX):
        return _RESERVED
    if name == "__typename":
        return _TYPENAME
    if name in ("__schema", "__type"):
        return _INTROSPECTION
    return _FIELD if definition is not None else _UNKNOWN


@dataclass(frozen=True, slots=True)
class _Plan:
    steps: list[_Step]
    protection: TypeProtection | None
    reads: _SubjectReads | None
    rules: tuple[RowRule, ...]  # the row rules that concern rows of this type


def _plan(walk: _Walk, runtime: GraphQLObjectType, selection_set: SelectionSetNode) -> _Plan:
    memo_key = (runtime.name, id(selection_set))
    plan = walk.plans.get(memo_key)
    if plan is None:
        steps = []
        withheld = walk.prepared.withheld
        for key, nodes in collect_fields(walk.schema, runtime, selection_set, walk.fragments, walk.variables).items():
            name = nodes[0].name.value
            definition = runtime.fields.get(name)
            composite = definition is not None and not is_leaf_type(get_named_type(definition.type))
            coordinate = f"{runtime.name}.{name}"
            reserved = key.startswith(RESERVED_PREFIX)
            effect = walk.decision.effect(coordinate) if definition is not None and not reserved else None
            kind = _kind(key, name, definition, withheld)
            fast = kind == _FIELD and not composite and effect is not None and effect.effect == "allow"
            steps.append(_Step(key, name, coordinate, definition, _merge(nodes) if composite else None, effect,
                               kind, fast))
        protection = walk.model.of(runtime.name)
        is_root = runtime is walk.root
        personal = walk.model.holds_personal(runtime.name)
        rules = () if is_root else tuple(r for r in walk.decision.result.row_rules
                                         if concerns(r, runtime.name, protection, personal))
        plan = walk.plans[memo_key] = _Plan(steps, protection, _reads(protection), rules)
    return plan


def _subjects(obj: Mapping[str, Any], reads: _SubjectReads | None,
              inherited: tuple[Subject, ...]) -> tuple[Subject, ...]:
    """The row's data subjects as declared; a row that declares subjects none of which can be read has one
    unknown subject, and so has a row of a type that declares nothing (fail closed)."""
    if reads is None:
        return (_UNKNOWN_SUBJECT,)
    found: list[Subject] = list(inherited) if reads.inherit else []
    if reads.self_read is not None:
        key, facts = obj.get(reads.self_read[0]), obj.get(reads.self_read[1])
        found.append((key if type(key) is str else None, facts if type(facts) is dict else None))
    for alias, key_field, facts_key in reads.fields:
        value = obj.get(alias)
        if value is None:
            continue
        for item in value if type(value) is list else (value,):
            if type(item) is dict:
                key, facts = item.get(key_field), item.get(facts_key)
                found.append((key if type(key) is str else None, facts if type(facts) is dict else None))
            elif item is not None:
                found.append(_UNKNOWN_SUBJECT)
    if not found and reads.own:
        found.append(_UNKNOWN_SUBJECT)
    return tuple(found)


@dataclass
class _Walk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any] | None
    decision: FieldDecision
    model: ProtectionModel
    prepared: Prepared
    root: Any
    key: bytes
    today: dt.date
    errors: list[dict[str, Any]] = field(default_factory=list)
    masked: list[dict[str, Any]] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    summarised: set[str] = field(default_factory=set)  # ids of summary rules already reported
    # (type name, id(selection set)) -> its fields, computed once per request: a list of 200 persons repeats the
    # same selection 200 times, and variables (@skip/@include) are fixed for the request
    plans: dict[tuple[str, int], _Plan] = field(default_factory=dict)

    def record(self, path: list[Any], coordinate: str, effect: str, mask: str | None, reason: str) -> None:
        self.masked.append(
            {"path": list(path), "coordinate": coordinate, "effect": effect, "mask": mask, "reason": reason}
        )

    def summary(self, rule: RowRule, coordinate: str) -> None:
        """Report a summary rule once, with no path and no count (suppressed cells are not located)."""
        if rule.id not in self.summarised:
            self.summarised.add(rule.id)
            self.masked.append({"coordinate": coordinate, "effect": rule.effect, "mask": None, "rule": rule.id,
                                "reason": rule.reason})

    def forbid(self, path: list[Any], coordinate: str, reason: str, effect: str = "withhold") -> None:
        self.record(path, coordinate, effect, "withhold" if effect == "withhold" else None, reason)
        self.errors.append(
            {
                "message": f"{coordinate} is not available to this caller for this purpose: {reason}",
                "path": list(path),
                "extensions": {"code": "FORBIDDEN_FIELD", "coordinate": coordinate, "reason": reason},
            }
        )


def apply_policy(
    result: Mapping[str, Any] | Any,
    prepared: Prepared,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    decision: FieldDecision,
    schema: GraphQLSchema,
    model: ProtectionModel,
    *,
    pseudonym_key: bytes,
    today: dt.date,
) -> Applied:
    """Apply ``decision`` to an execution ``result`` (``{"data", "errors"}``) of the ``prepared`` document, or
    complete and apply in one walk an :class:`gateway.policy.respond.Unfinished` one."""
    from .respond import Unfinished, respond  # respond builds on this module's helpers

    if isinstance(result, Unfinished):
        return respond(result.plan, result.data, result.errors, decision, pseudonym_key=pseudonym_key, today=today)
    document = prepared.document
    operation = operation_of(document, operation_name)
    root = schema.get_root_type(operation.operation)
    walk = _Walk(schema, fragments_of(document), variables, decision, model, prepared, root, pseudonym_key, today)
    data = result.get("data")
    out: dict[str, Any] | None = None
    if isinstance(data, dict) and root is not None:
        try:
            produced = _object(walk, data, root, operation.selection_set, [], ())
            out = None if produced is _FILTERED or produced is SILENT else produced
        except _Bubble:
            out = None
    policy = {
        "decisionId": decision.decision_id,
        "policyVersion": decision.policy_version,
        "purpose": decision.purpose,
        "masked": walk.masked,
    }
    errors = [*_client_errors(result.get("errors") or ()), *walk.errors]
    return Applied(out, errors, walk.masked, walk.subjects, {"policy": policy})


def _client_errors(errors: Any) -> list[dict[str, Any]]:
    """Execution errors as the client may see them: a path through the gateway's own selections ends at the
    row that carries them (an error under a subject's facts is an error of that row), duplicates dropped."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for error in errors:
        path = error.get("path") if isinstance(error, dict) else None
        if isinstance(path, list):
            cut = next((i for i, p in enumerate(path) if isinstance(p, str) and p.startswith(RESERVED_PREFIX)), None)
            if cut is not None:
                error = {**error, "path": path[:cut]}
                if not error["path"]:
                    del error["path"]
        ext = error.get("extensions") or {}
        code = ext.get("code") if isinstance(ext, dict) else None
        marker = (error.get("message"), tuple(error.get("path") or ()), code)
        if marker in seen:
            continue
        seen.add(marker)
        out.append(error)
    return out


def _object(
    walk: _Walk, obj: dict[str, Any], static: Any, selection_set: SelectionSetNode, path: list[Any],
    inherited: tuple[Subject, ...],
) -> Any:
    runtime = static if isinstance(static, GraphQLObjectType) else None
    if runtime is None:
        runtime = walk.schema.get_type(str(obj.get(TYPE_ALIAS) or ""))
    if not isinstance(runtime, GraphQLObjectType):
        walk.forbid(path, static.name, "row type unknown: withheld")
        return None
    plan = _plan(walk, runtime, selection_set)
    protection = plan.protection
    subjects: tuple[Subject, ...] = ()
    if runtime is not walk.root:
        subjects = _subjects(obj, plan.reads, inherited)
    row_withheld: dict[str, str] = {}
    if plan.rules:
        name = runtime.name
        verdict = row_verdict(walk, plan.rules, protection, obj, subjects, name,
                              lambda reason: walk.record(path, name, "filter", None, reason))
        if verdict is _FILTERED or verdict is SILENT:
            return verdict
        row_withheld = verdict
    out: dict[str, Any] = {}
    for step in plan.steps:
        key = step.key
        if step.fast and not row_withheld:  # the common case: a released leaf
            value = obj.get(key)
            if value is not None:
                out[key] = value
                continue
        kind, definition, coordinate = step.kind, step.definition, step.coordinate
        if kind == _WITHHELD:
            pruned = walk.prepared.withheld[key]
            definition = runtime.fields.get(pruned.field_name)
            coordinate = f"{runtime.name}.{pruned.field_name}"
            out[pruned.response_key] = None
            walk.forbid([*path, pruned.response_key], coordinate,
                        pruned.reason or walk.decision.effect(coordinate).reason)
            if definition is not None and is_non_null_type(definition.type):
                raise _Bubble
            continue
        if kind == _RESERVED or kind == _UNKNOWN:
            continue
        if kind == _TYPENAME:
            out[key] = runtime.name
            continue
        if kind == _INTROSPECTION:  # (root only): the API schema, no personal data
            out[key] = obj.get(key)
            continue
        if row_withheld and coordinate in row_withheld:
            effect = FieldEffect("withhold", "withhold", row_withheld[coordinate])
        else:
            effect = step.effect  # always set on a _FIELD step (see _plan)
        value = obj.get(key)
        sub_path = [*path, key]
        if effect.effect == "mask" and step.selection_set is not None:
            # a mask concerns values: on an object field it applies to the leaves below, which have their own
            # decisions (e.g. Query.person is IDENTIFIER, Person.personalId is pseudonymised)
            effect = FieldEffect("allow", None, effect.reason)
        if effect.effect == "mask":
            value, effect = _masked(walk, effect, value, definition.type)
        if effect.effect != "allow" and effect.effect != "mask":
            out[key] = None
            walk.forbid(sub_path, coordinate, effect.reason)
            if is_non_null_type(definition.type):
                raise _Bubble
            continue
        if effect.effect == "mask":
            out[key] = value
            if value is not None:
                walk.record(sub_path, coordinate, "mask", effect.mask, effect.reason)
            continue
        try:
            completed = _value(walk, definition.type, value, step.selection_set, sub_path, subjects)
        except _Bubble:
            if is_non_null_type(definition.type):
                raise
            completed = None
        if completed is _FILTERED or completed is SILENT:
            if completed is _FILTERED:
                walk.errors.append(_filtered_error(sub_path, coordinate))
            if is_non_null_type(definition.type):
                raise _Bubble
            completed = None
        out[key] = completed
    # only a row that survived its own rules (no bubbling null) is present in the response, hence audited
    for key, _ in subjects:
        if key is not None:
            walk.subjects.add(key)
    return out


def row_verdict(walk: Any, rules: Sequence[RowRule], protection: TypeProtection | None, row: Mapping[str, Any],
                subjects: tuple[Subject, ...], type_name: str, record_filter: Callable[[str], None],
                checks: Sequence[Check] | None = None) -> Any:
    """What ``rules`` decide on one row of ``type_name`` (its row facts read from ``row``), for both response
    walks (this one and :mod:`gateway.policy.respond`): the coordinates they withhold, with their reasons;
    ``_FILTERED`` when one filters the row out (recorded through ``record_filter(reason)``, or as the rule's
    summary); ``SILENT`` when a silent one does (nothing recorded: the row answers as one that does not exist).
    ``walk`` gives ``today`` and ``summary``; ``checks``, the rules' compiled predicates
    (``rows.compile_predicate``, the same results), spare interpreting them on every row."""
    row_facts = ({fact: row.get(ROW_FACT_PREFIX + fact) for fact in protection.row_facts}
                 if protection is not None else {})
    withheld: dict[str, str] = {}
    for i, rule in enumerate(rules):
        hit, unknown = _hit(walk, rule, row_facts, subjects, checks[i] if checks is not None else None)
        if not hit:
            continue
        reason = f"{rule.reason} ({UNKNOWN_FACTS})" if unknown else rule.reason
        if rule.effect == "filter":
            if rule.silent:
                return SILENT
            if rule.summary:
                walk.summary(rule, type_name)
            else:
                record_filter(reason)
            return _FILTERED
        prefix = type_name + "."  # only on a hit: most rows hit no rule
        for coordinate in rule.coordinates:
            if coordinate.startswith(prefix):
                withheld.setdefault(coordinate, reason)
    return withheld


def _hit(walk: _Walk, rule: RowRule, row_facts: Mapping[str, Any], subjects: tuple[Subject, ...],
         check: Check | None = None) -> tuple[bool, bool]:
    """(does ``rule`` hit the row, did it hit because a fact was unknown). A rule over subject facts hits when
    it hits for any subject; an unknown fact yields the predicate's ``if_unknown`` (fail closed)."""
    today = walk.today
    if check is None:
        check = partial(matches, rule.when)  # interpreted on every row
    if not rule.reads_subject_facts:
        return _holds(check, row_facts, today), False
    if rule.subjects == "all":
        # every subject of the row satisfies the predicate ("is not the caller"); a row with no subject at all (an
        # inherit-only type under the root: the gateway's own answers) is about nobody
        return bool(subjects) and all(
            _holds(check, {**row_facts, **(facts or {}), SUBJECT_KEY: key}, today) for key, facts in subjects
        ), False
    unknown_hit = False
    for key, facts in subjects:
        if facts is None:
            if _holds(check, {**row_facts, SUBJECT_KEY: key}, today):
                unknown_hit = True
            continue
        if _holds(check, {**row_facts, **facts, SUBJECT_KEY: key}, today):
            return True, False
    return unknown_hit, unknown_hit


def _holds(check: Check, attrs: Mapping[str, Any], today: dt.date) -> bool:
    try:
        return check(attrs, today)
    except (ValueError, TypeError, KeyError):
        return True  # a predicate the gateway cannot evaluate applies (fail closed)


def _masked(walk: _Walk, effect: FieldEffect, value: Any, type_: GraphQLOutputType) -> tuple[Any, FieldEffect]:
    named = get_named_type(type_)
    mask = effect.mask or ""
    if not mask_fits(mask, named.name):
        return None, FieldEffect("withhold", "withhold", f"{effect.reason} (mask {mask} cannot keep a {named.name} valid)")
    try:
        return apply_mask(mask, value, key=walk.key, purpose=walk.decision.purpose), effect
    except (ValueError, KeyError):
        return None, FieldEffect("withhold", "withhold", f"{effect.reason} (value cannot be masked with {mask})")


def _filtered_error(path: list[Any], coordinate: str) -> dict[str, Any]:
    return {
        "message": f"{coordinate}: the row is not available to this caller (row rule)",
        "path": list(path),
        "extensions": {"code": "FORBIDDEN_FIELD", "coordinate": coordinate},
    }


def _merge(nodes: list[FieldNode]) -> SelectionSetNode:
    selections = tuple(s for node in nodes if node.selection_set for s in node.selection_set.selections)
    return SelectionSetNode(selections=selections)


def _value(walk: _Walk, type_: Any, value: Any, selection_set: SelectionSetNode | None, path: list[Any],
           subjects: tuple[Subject, ...]) -> Any:
    if is_non_null_type(type_):
        completed = _value(walk, type_.of_type, value, selection_set, path, subjects)
        if completed is None:
            raise _Bubble
        return completed  # may be _FILTERED or SILENT: a list drops it, a field nulls it
    if value is None:
        return None
    if is_list_type(type_):
        if not isinstance(value, list):
            return value
        items: list[Any] = []
        for source_index, item in enumerate(value):
            recorded = len(walk.masked)
            try:
                completed = _value(walk, type_.of_type, item, selection_set, [*path, len(items)], subjects)
            except _Bubble:
                if is_non_null_type(type_.of_type):
                    raise
                completed = None  # a nullable item is the nearest nullable position (GraphQL spec 6.4.4)
            if completed is SILENT:  # as a key that matches nothing: null where the item may be null
                if not is_non_null_type(type_.of_type):
                    items.append(None)
                continue
            if completed is _FILTERED:
                # paths count kept items; say which fetched row each dropped one was, so entries stay distinct
                for entry in walk.masked[recorded:]:
                    if "path" in entry:  # a summary entry is never located
                        entry.setdefault("sourceIndex", source_index)
            else:
                items.append(completed)
        return items
    if is_leaf_type(type_) or not isinstance(value, dict) or selection_set is None:
        return value
    return _object(walk, value, type_, selection_set, path, subjects)
