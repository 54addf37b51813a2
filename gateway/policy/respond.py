"""One walk over the merged subgraph answers: completion and policy in the same pass.

``apply.apply_policy`` applies a decision to an already completed response, so a request used to walk its data
twice (completion, then policy). :func:`respond` does both at once, over the raw merged data and the plan's
response shape (``gateway.planning.shape``): per object, the reserved ``_lt_*`` fields (subjects, facts, row
facts) are completed first, the row rules are evaluated on them, then every client field is completed and
released, masked or withheld, and the row's subjects are recorded. The rules are the same as ``apply.py``'s (it
shares its helpers); what each (shape, decision) pair needs per field is compiled once (:class:`ResponseCompiler`)
instead of once per request, and a node walked often gets a generated function (:mod:`.respond_fast`) that
walks its rows as :meth:`_Walker.obj` does, calling back into the walker wherever anything uncommon happens.

Completion (``gateway.execution.completion``) and this walk agree on the result rules: response keys in the
client's order, ``__typename`` from the runtime type, fields the client did not ask for dropped, null bubbling
to the nearest nullable parent with "Cannot return null for non-nullable field", invalid values nulled and
reported in ``extensions.valueCompletion``. Completion errors carry the fetched list indexes, policy records the
indexes of the kept items (as ``apply_policy`` did on completed data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..planning.shape import ABSTRACT, LEAF, RAW, FieldShape, ObjectShape, TypeRef
from .apply import _FILTERED as FILTERED
from .apply import SILENT, Subject, _client_errors, _filtered_error, _subjects, row_verdict
from .masks import apply_mask, mask_fits
from .respond_fast import BUBBLE as _BUBBLE
from .respond_fast import ROW_FILTERED as _FILTERED
from .respond_fast import generate
from .respond_plan import DENY, MASK, RAW_VALUE, TYPENAME, WITHHELD, Node, ResponsePlan, Step
from .types import Applied, FieldDecision, FieldEffect, RowRule


@dataclass(frozen=True, slots=True)
class Unfinished:
    """What ``apply_policy`` receives instead of a completed result when completion is left to it: the merged
    subgraph answers (``gateway.execution.Fetched``) and the compiled plan of their shape."""

    plan: ResponsePlan
    data: dict[str, Any]
    errors: list[dict[str, Any]]


def respond(plan: ResponsePlan, data: dict[str, Any], fetch_errors: list[dict[str, Any]], decision: FieldDecision,
            *, pseudonym_key: bytes, today: dt.date) -> Applied:
    """Complete the merged ``data`` and apply ``decision`` in one walk; the invalid values completion nulled are
    in ``extensions["valueCompletion"]`` (beside ``extensions["policy"]``)."""
    walker = _Walker(plan, decision, pseudonym_key, today)
    produced = walker.obj(data, plan.shape, (), plan.shape.type_name)
    out = None if produced is _BUBBLE or produced is _FILTERED or produced is SILENT else produced
    policy = {
        "decisionId": decision.decision_id,
        "policyVersion": decision.policy_version,
        "purpose": decision.purpose,
        "masked": walker.masked,
    }
    # Like Apollo Gateway: nulls caused by a subgraph error are explained by that error already.
    errors = [*_client_errors(fetch_errors or walker.null_errors), *walker.errors]
    extensions: dict[str, Any] = {"policy": policy}
    if walker.invalid:
        extensions["valueCompletion"] = walker.invalid
    return Applied(out, errors, walker.masked, walker.subjects, extensions)


def _policy_path(path: list[Any]) -> list[Any]:
    return [p[1] if type(p) is tuple else p for p in path]


def _fetched_path(path: list[Any]) -> list[Any]:
    return [p[0] if type(p) is tuple else p for p in path]


class _Walker:
    __slots__ = ("plan", "decision", "key", "today", "errors", "null_errors", "invalid", "masked", "subjects",
                 "summarised", "path", "plain")

    def __init__(self, plan: ResponsePlan, decision: FieldDecision, key: bytes, today: dt.date) -> None:
        self.plan = plan
        self.decision = decision
        self.key = key
        self.today = today
        self.errors: list[dict[str, Any]] = []  # the policy's (FORBIDDEN_FIELD)
        self.null_errors: list[dict[str, Any]] = []  # completion's (non-null field received null)
        self.invalid: list[dict[str, Any]] = []  # values the schema does not allow (extensions.valueCompletion)
        self.masked: list[dict[str, Any]] = []
        self.subjects: set[str] = set()
        self.summarised: set[str] = set()
        # list positions are (fetched index, kept index): completion reports the first, policy the second
        self.path: list[Any] = []
        self.plain = 0  # > 0 while completing reserved fields: completion only, no policy below them

    # ------------------------------------------------------------------------------------------ records
    def record(self, coordinate: str, effect: str, mask: str | None, reason: str) -> None:
        self.masked.append({"path": _policy_path(self.path), "coordinate": coordinate, "effect": effect,
                            "mask": mask, "reason": reason})

    def forbid(self, coordinate: str, reason: str) -> None:
        self.record(coordinate, "withhold", "withhold", reason)
        self.errors.append({
            "message": f"{coordinate} is not available to this caller for this purpose: {reason}",
            "path": _policy_path(self.path),
            "extensions": {"code": "FORBIDDEN_FIELD", "coordinate": coordinate, "reason": reason},
        })

    def summary(self, rule: RowRule, coordinate: str) -> None:
        if rule.id not in self.summarised:
            self.summarised.add(rule.id)
            self.masked.append({"coordinate": coordinate, "effect": rule.effect, "mask": None, "rule": rule.id,
                                "reason": rule.reason})

    def null_error(self, parent: str, name: str) -> None:
        self.null_errors.append({
            "message": f"Cannot return null for non-nullable field {parent}.{name}.",
            "path": _fetched_path(self.path),
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        })

    def bad_value(self, ref: TypeRef, parent: str, name: str) -> Any:
        # A value outside the API schema (an @inaccessible enum value or type, a wrong shape) is nulled; like
        # Apollo Router it is reported in extensions.valueCompletion, not as a field error of the client's.
        self.invalid.append({"message": f"Invalid value returned by a subgraph for {parent}.{name}.",
                             "path": _fetched_path(self.path)})
        return None if ref.nullable else _BUBBLE

    # ------------------------------------------------------------------------------------------ walk
    def obj(self, raw: dict[str, Any], shape: ObjectShape, inherited: tuple[Subject, ...], static: str) -> Any:
        node = self.plan.node(shape)
        run = node.run
        if run is not None:  # the node's generated function (respond_fast): the same walk, specialised
            return run(self, raw, inherited)
        if not node.is_object:
            self.forbid(static, "row type unknown: withheld")
            return None
        countdown = node.countdown
        if countdown >= 0:  # generate once the node has proved to be walked often (a list's rows), not before
            if countdown == 0:
                node.countdown = -1
                run = node.run = generate(self.plan, node)
                if run is not None:
                    return run(self, raw, inherited)
            else:
                node.countdown = countdown - 1
        hidden: dict[str, Any] = {}
        for step in node.hidden:
            if step.type is None:  # _lt_type: the runtime type
                hidden[step.key] = node.type_name
                continue
            quick = step.quick
            if quick is not None:
                value = raw.get(step.source)
                if quick(value):  # complete as fetched: read as is (most rows)
                    hidden[step.key] = value
                    continue
            done = self.hidden_field(raw, step, node.type_name)
            if done is _BUBBLE:
                return _BUBBLE
            hidden[step.key] = done
        subjects: tuple[Subject, ...] = () if node.is_root else _subjects(hidden, node.reads, inherited)
        row_withheld: dict[str, str] | None = None
        if node.rules:
            verdict = self.row_verdict(node, hidden, subjects)
            if verdict is FILTERED:
                return _FILTERED
            if verdict is SILENT:
                return SILENT
            row_withheld = verdict or None
        out = self.fields(raw, node, subjects, row_withheld)
        if out is _BUBBLE:
            return _BUBBLE
        # only a row that survived its own rules (no bubbling null) is present in the response, hence audited
        for subject_key, _ in subjects:
            if subject_key is not None:
                self.subjects.add(subject_key)
        return out

    def hidden_field(self, raw: dict[str, Any], step: Step, type_name: str) -> Any:
        """Complete a reserved field (completion only: no policy below it)."""
        self.plain += 1
        try:
            self.path.append(step.key)
            done = self.field(raw, step, type_name, ())
            self.path.pop()
        finally:
            self.plain -= 1
        return done

    def row_verdict(self, node: Node, hidden: dict[str, Any], subjects: tuple[Subject, ...]) -> Any:
        """``apply.row_verdict`` on one row of ``node``: withheld coordinates, FILTERED or SILENT."""
        name = node.type_name
        return row_verdict(self, node.rules, node.protection, hidden, subjects, name,
                           lambda reason: self.record(name, "filter", None, reason), node.checks)

    def fields(self, raw: dict[str, Any], node: Node, subjects: tuple[Subject, ...],
               row_withheld: dict[str, str] | None) -> Any:
        """The client's fields of one row: the completed object, or _BUBBLE."""
        out: dict[str, Any] = {}
        for step in node.steps:
            if step.fast and row_withheld is None:  # the common case: a released scalar
                value = raw.get(step.source)
                if value is not None and (step.values is None or value in step.values):
                    out[step.key] = value
                    continue
            if self.step(raw, step, node.type_name, subjects, row_withheld, out) is _BUBBLE:
                return _BUBBLE
        return out

    def step(self, raw: dict[str, Any], step: Step, type_name: str, subjects: tuple[Subject, ...],
             row_withheld: dict[str, str] | None, out: dict[str, Any]) -> Any:
        """One client field of a row into ``out`` (any case: the fast ones are tried by the caller first);
        _BUBBLE when the row must become null."""
        key = step.key
        kind = step.kind
        if kind == TYPENAME:
            out[key] = type_name
            return None
        if kind == RAW_VALUE:
            out[key] = raw.get(step.source)
            return None
        path = self.path
        if kind == WITHHELD:
            pruned = step.withheld
            out[pruned.response_key] = None  # type: ignore[union-attr]
            path.append(pruned.response_key)  # type: ignore[union-attr]
            self.forbid(step.withheld_coordinate, pruned.reason or "")  # type: ignore[union-attr]
            path.pop()
            return _BUBBLE if step.withheld_non_null else None
        verdict, effect = step.verdict, step.effect
        if row_withheld is not None and step.coordinate in row_withheld:
            verdict, effect = DENY, FieldEffect("withhold", "withhold", row_withheld[step.coordinate])
        path.append(key)
        if verdict == DENY:
            out[key] = None
            self.forbid(step.coordinate, effect.reason)  # type: ignore[union-attr]
            path.pop()
            return None if step.type.nullable else _BUBBLE  # type: ignore[union-attr]
        done = self.field(raw, step, type_name, subjects)
        if done is _BUBBLE:
            path.pop()
            return _BUBBLE
        if done is _FILTERED or done is SILENT:
            if done is _FILTERED:
                self.filtered_field(step.coordinate)
            path.pop()
            if not step.type.nullable:  # type: ignore[union-attr]
                return _BUBBLE
            out[key] = None
            return None
        if verdict == MASK:
            masked, effect = self.mask(effect, done, step.leaf_type)  # type: ignore[arg-type]
            if effect.effect == "withhold":
                out[key] = None
                self.forbid(step.coordinate, effect.reason)
                path.pop()
                return None if step.type.nullable else _BUBBLE  # type: ignore[union-attr]
            if masked is not None:
                self.record(step.coordinate, "mask", effect.mask, effect.reason)
            done = masked
        path.pop()
        out[key] = done
        return None

    def filtered_field(self, coordinate: str) -> None:
        """The error of a field whose row a rule filtered out (its path is on the path)."""
        self.errors.append(_filtered_error(_policy_path(self.path), coordinate))

    def mask(self, effect: FieldEffect, value: Any, type_name: str) -> tuple[Any, FieldEffect]:
        mask = effect.mask or ""
        if not mask_fits(mask, type_name):
            return None, FieldEffect("withhold", "withhold",
                                     f"{effect.reason} (mask {mask} cannot keep a {type_name} valid)")
        try:
            return apply_mask(mask, value, key=self.key, purpose=self.decision.purpose), effect
        except (ValueError, KeyError):
            return None, FieldEffect("withhold", "withhold", f"{effect.reason} (value cannot be masked with {mask})")

    def plain_obj(self, raw: dict[str, Any], shape: ObjectShape) -> Any:
        """Completion alone (``completion._Completer.obj``), for what reserved fields select."""
        out: dict[str, Any] = {}
        path = self.path
        for f in shape.fields:
            ref = f.type
            if ref is None:
                out[f.key] = shape.type_name
                continue
            if ref.of is None and ref.kind == LEAF and f.alt is None:  # a scalar: inline (subject keys, facts)
                value = raw.get(f.source)
                if value is not None:
                    if ref.values is None or value in ref.values:
                        out[f.key] = value
                        continue
                elif ref.nullable:
                    out[f.key] = None
                    continue
            path.append(f.key)
            done = self.field(raw, f, shape.type_name, ())
            path.pop()
            if done is _BUBBLE:
                return _BUBBLE
            out[f.key] = done
        return out

    def field(self, raw: dict[str, Any], step: Step | FieldShape, parent: str, subjects: tuple[Subject, ...]
              ) -> Any:
        """Complete one field of ``raw`` (its key is on the path already)."""
        ref: TypeRef = step.type  # type: ignore[assignment]
        value = raw.get(step.source)
        if value is None and step.alt is not None:
            value = raw.get(step.alt)
        if ref.kind == RAW and ref.of is None:
            return value
        if ref.values is not None and value is not None and value not in ref.values:
            return self.bad_value(ref, parent, step.name)
        if value is None:
            if not ref.nullable:
                if step.source in raw or (step.alt is not None and step.alt in raw):
                    self.null_error(parent, step.name)
                # else: absent, because the entity it belongs to was not found (a null or unknown key): the null
                # bubbles silently, as Apollo Gateway does, the subgraph having reported nothing
                return _BUBBLE
            return None
        if ref.of is None and ref.kind == LEAF:
            return value
        return self.value(value, ref, step.sub, parent, step.name, subjects)

    def value(self, value: Any, ref: TypeRef, sub: dict[str, ObjectShape] | None, parent: str, name: str,
              subjects: tuple[Subject, ...]) -> Any:
        """Complete a non-null raw ``value``: None if it completes to null in a nullable position, _BUBBLE in a
        non-null one, _FILTERED for a row the rules filter out."""
        if ref.of is not None:
            if not isinstance(value, list):
                return self.bad_value(ref, parent, name)
            items: list[Any] = []
            item_ref = ref.of
            path = self.path
            simple = item_ref.of is None and item_ref.kind == LEAF
            for i, item in enumerate(value):
                if item is None:
                    if not item_ref.nullable:
                        path.append((i, len(items)))
                        self.null_error(parent, name)
                        path.pop()
                        return None if ref.nullable else _BUBBLE
                    items.append(None)
                    continue
                if simple and (item_ref.values is None or item in item_ref.values):
                    items.append(item)
                    continue
                path.append((i, len(items)))
                recorded = len(self.masked)
                done = self.value(item, item_ref, sub, parent, name, subjects)
                path.pop()
                if done is _BUBBLE:
                    return None if ref.nullable else _BUBBLE
                if done is SILENT:  # as a key that matches nothing: null where the item may be null
                    if item_ref.nullable:
                        items.append(None)
                    continue
                if done is _FILTERED:
                    # paths count kept items; say which fetched row each dropped one was, so entries stay distinct
                    for entry in self.masked[recorded:]:
                        if "path" in entry:  # a summary entry is never located
                            entry.setdefault("sourceIndex", i)
                    continue
                items.append(done)
            return items
        if ref.kind == LEAF:
            if ref.values is not None and value not in ref.values:
                return self.bad_value(ref, parent, name)
            return value
        if not isinstance(value, dict) or sub is None:
            return self.bad_value(ref, parent, name)
        if ref.kind == ABSTRACT:
            # No __typename: an @interfaceObject's object whose concrete type the operation did not need
            shape = sub.get(value.get("__typename") or ref.name)
        else:
            shape = sub.get(ref.name)
        if shape is None:
            if ref.kind == ABSTRACT and "__typename" not in value:
                # an @interfaceObject's object whose concrete type was needed but never came (its owner does not
                # know it): null, silently, as for the fields of any entity that was not found
                return None if ref.nullable else _BUBBLE
            return self.bad_value(ref, parent, name)
        done = self.plain_obj(value, shape) if self.plain else self.obj(value, shape, subjects, ref.name)
        if done is _BUBBLE or (done is None and not ref.nullable):
            return None if ref.nullable else _BUBBLE
        return done

