"""``policy explain``: per path of a GraphQL document, the verdict, the mask and the Rego rule (file:line) that
decided it.

The decision itself comes from the gateway's engine (``PolicyService`` over the compiled policy). The rule
comes from evaluating the same input once more on an instrumented copy of the policy (rego_source): every
clause whose body succeeded prints its number and, in the functions of a field (a parameter ``f``) or of a root
call (``call``), that field's coordinate or that call's response key. Of the clauses that fired for a
coordinate, the deciding one is the innermost that holds the decision's reason text (a ``sprintf`` template or
literal in its source), or else the closest of those that reach, through the rules they call, the rule holding
it (the reason of a mask is written by the helper ``mask_reason``; the clause choosing the mask decided). A
reason is held by a clause as a literal, a ``sprintf`` template (``%s`` holes) or a ``concat("", [...])`` of
literals and expressions (each expression a hole). A reason computed once per request and carried to the
fields (the grants rule's ``grant_problem``, through ``context``'s ``grant``) is held by no clause fired for the
field: it is then located among the clauses fired for the request as a whole. The instrumented
decision is compared with the engine's: a difference is reported, never hidden.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLSchema, get_named_type

from .bundle import PolicyBundle
from .engines import RegoEvaluator
from .rego_source import (
    Annotation,
    Clause,
    _matching,
    capture_prints,
    instrument,
    mask,
    parse_hits,
    read_annotations,
)
from .walk import collect_fields, concrete_types, fragments_of, operation_of

KEYS = {"f": "f.coordinate", "call": "call.key"}
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_CONCAT = re.compile(r'\bconcat\(\s*""\s*,\s*\[')
MIN_LITERAL = 8  # shorter literals ("consent ", ": ") alone would match too many reasons


def _unescape(literal: str) -> str:
    return literal.encode().decode("unicode_escape") if "\\" in literal else literal


def _template(literal: str) -> str:
    """A regex for a literal whose ``%s``/``%v``/``%d`` are holes."""
    pattern = re.escape(literal)
    for hole in ("%s", "%v", "%d"):
        pattern = pattern.replace(re.escape(hole), "(.*?)").replace(hole, "(.*?)")
    return pattern


def _templates(text: str) -> list[re.Pattern[str]]:
    """The reasons a clause's text can write: its literals of :data:`MIN_LITERAL` characters or more (``sprintf``
    holes included) and its ``concat("", [...])``."""
    out = [_template(_unescape(m.group(1))) for m in _LITERAL.finditer(text) if len(_unescape(m.group(1))) >= MIN_LITERAL]
    if "concat(" in text:
        out += _concat_templates(text)
    return [re.compile(t, re.DOTALL) for t in dict.fromkeys(out)]


def _concat_templates(text: str) -> list[str]:
    """A regex per ``concat("", [item, ...])`` of ``text``: literal items as themselves, any other item a hole;
    only those with at least :data:`MIN_LITERAL` characters of literal text."""
    masked = mask(text)
    out: list[str] = []
    for m in _CONCAT.finditer(masked):
        opening = m.end() - 1
        closing = _matching(masked, opening)
        items, depth, start = [], 0, opening + 1
        for i in range(opening + 1, closing + 1):
            c = masked[i]
            if c in "([{":
                depth += 1
            elif c in ")]}" and depth > 0:
                depth -= 1
            elif depth == 0 and (c == "," or i == closing):
                items.append(text[start:i].strip())
                start = i + 1
        parts, literal = [], 0
        for item in items:
            quoted = _LITERAL.fullmatch(item)
            if quoted is not None:
                value = _unescape(quoted.group(1))
                parts.append(re.escape(value))
                literal += len(value)
            elif item:
                parts.append("(.*?)")
        if literal >= MIN_LITERAL:
            out.append("".join(parts))
    return out


def document_paths(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                   variables: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Every (response path, coordinate) the operation selects, ``@skip``/``@include`` applied; a field
    reached on several possible types appears once per type."""
    operation = operation_of(document, operation_name)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return []
    fragments = fragments_of(document)
    out: list[tuple[str, str]] = []

    def walk(type_, selection_set: Any, path: str) -> None:
        for runtime in concrete_types(schema, type_):
            for key, nodes in collect_fields(schema, runtime, selection_set, fragments, variables).items():
                name = nodes[0].name.value
                if name.startswith("__"):
                    continue
                definition = runtime.fields.get(name)
                if definition is None:
                    continue
                here = f"{path}.{key}" if path else key
                out.append((here, f"{runtime.name}.{name}"))
                merged = [n.selection_set for n in nodes if n.selection_set is not None]
                for selection in merged:
                    walk(get_named_type(definition.type), selection, here)

    walk(root, operation.selection_set, "")
    return list(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class Source:
    """The clauses of a policy and, per clause, its text, its string literals and the rules it calls."""

    clauses: list[Clause]
    texts: dict[int, str]
    reaches: dict[str, set[str]]  # rule -> every rule it calls, transitively
    annotations: dict[int, Annotation]  # clause id -> the METADATA of its rule (absent: none, or invalid)
    templates: dict[int, list[re.Pattern[str]]]  # clause id -> the reasons it can write, as regexes
    _holders: dict[str, list[Clause]]  # reason -> the clauses holding it (memo: reasons repeat across fields)

    @classmethod
    def of(cls, clauses: list[Clause], files: Sequence[tuple[str, str]]) -> Source:
        sources = dict(files)
        texts: dict[int, str] = {}
        by_file: dict[str, list[Clause]] = {}
        for c in clauses:
            by_file.setdefault(c.file, []).append(c)
        for name, mine in by_file.items():
            lines = sources[name].splitlines(keepends=True)
            starts = [c.line for c in mine] + [len(lines) + 1]
            for c, end in zip(mine, starts[1:], strict=True):
                texts[c.id] = "".join(lines[c.line - 1:end - 1])
        calls: dict[str, set[str]] = {}
        for c in clauses:
            calls.setdefault(c.rule, set()).update(m.group(1) for m in _CALL.finditer(mask(texts[c.id])))
        reaches: dict[str, set[str]] = {}
        for rule in calls:
            seen, todo = set(), list(calls[rule])
            while todo:
                r = todo.pop()
                if r not in seen:
                    seen.add(r)
                    todo.extend(calls.get(r, ()))
            reaches[rule] = seen
        annotations: dict[int, Annotation] = {}
        for name, source in files:
            by_line = read_annotations(source)
            head = None
            for c in by_file.get(name, []):
                head = c.line if c.index == 0 else head
                found = by_line.get(head) if head is not None else None
                if isinstance(found, Annotation):
                    annotations[c.id] = found
        templates = {c.id: _templates(texts[c.id]) for c in clauses}
        return cls(clauses, texts, reaches, annotations, templates, {})

    def article(self, clause: Clause) -> str | None:
        """The article the clause's rule implements (its METADATA ``custom.article``, or the clause's branch)."""
        found = self.annotations.get(clause.id)
        return found.article_of(clause.index) or None if found is not None else None

    def holds(self, clause: Clause, reason: str) -> bool:
        """Whether ``reason`` is made from a string literal of the clause (``%s``/``%v``/``%d`` are holes) or
        from one of its ``concat("", [...])`` (every item that is not a literal is a hole)."""
        return any(t.fullmatch(reason) for t in self.templates[clause.id])

    def holders(self, reason: str) -> list[Clause]:
        """Every clause holding ``reason``."""
        found = self._holders.get(reason)
        if found is None:
            found = self._holders[reason] = [c for c in self.clauses if reason and self.holds(c, reason)]
        return found

    def deciding(self, fired: Sequence[int], reason: str) -> Clause | None:
        """Of the clauses that fired (innermost first), the one that decided the outcome with ``reason``."""
        holders = self.holders(reason)
        for cid in fired:
            if self.clauses[cid] in holders:
                return self.clauses[cid]
        # else the clause closest to the holder: of those that reach it, the one reaching the fewest rules
        # (``purpose_mask`` rather than ``base_effect`` or ``field_effect``, which call it through others)
        reaching = [self.clauses[cid] for cid in fired
                    if any(h.rule in self.reaches.get(self.clauses[cid].rule, ()) for h in holders)]
        if not reaching:
            return None
        return min(reaching, key=lambda c: (len(self.reaches.get(c.rule, ())), fired.index(c.id)))


@dataclass(frozen=True, slots=True)
class Trace:
    decision: dict[str, Any]
    by_key: dict[str, list[int]]  # coordinate or call key -> clause ids fired for it, innermost first
    unkeyed: list[int]
    source: Source

    def rule_for(self, key: str | None, reason: str) -> Clause | None:
        """The clause that decided ``key`` (a coordinate, a call key; None: the request) with ``reason``: among
        those fired for it, else among those fired for the request (a reason computed once, in ``context``)."""
        fired = self.by_key.get(key, []) if key is not None else self.unkeyed
        found = self.source.deciding(list(dict.fromkeys(fired)), reason)
        if found is None and key is not None:
            found = self.source.deciding(list(dict.fromkeys(self.unkeyed)), reason)
        return found

    def clause_of_row_rule(self, rule_id: str, reason: str = "") -> Clause | None:
        """The clause writing row rule ``rule_id``: of those with its id, the fired one holding ``reason`` (a rule
        with one id in several branches), else the first fired, else the first."""
        needle = f'"id": "{rule_id}"'
        fired = set(self.unkeyed)
        found = [c for c in self.source.clauses if needle in self.source.texts[c.id]]
        for c in found:
            if c.id in fired and reason and self.source.holds(c, reason):
                return c
        return next((c for c in found if c.id in fired), found[0] if found else None)


_INSTRUMENTED: dict[int, tuple[PolicyBundle, RegoEvaluator, list[Clause], Source]] = {}


def _instrumented(bundle: PolicyBundle) -> tuple[RegoEvaluator, list[Clause], Source]:
    """The instrumented evaluator of ``bundle``, built once per bundle object (building it compiles the whole
    policy again: several explanations of one bundle share it)."""
    cached = _INSTRUMENTED.get(id(bundle))
    if cached is None or cached[0] is not bundle:
        files, clauses = instrument(bundle.modules, KEYS)
        evaluator = RegoEvaluator(dataclasses.replace(bundle, modules=tuple(files)))
        if len(_INSTRUMENTED) >= 4:  # a few bundles at most (a reload replaces the bundle object)
            _INSTRUMENTED.clear()
        cached = _INSTRUMENTED[id(bundle)] = (bundle, evaluator, clauses, Source.of(clauses, bundle.modules))
    return cached[1], cached[2], cached[3]


def trace(bundle: PolicyBundle, policy_input: Mapping[str, Any]) -> Trace:
    """Evaluate ``policy_input`` on an instrumented copy of ``bundle`` and collect which clauses fired."""
    evaluator, _clauses, source = _instrumented(bundle)
    with capture_prints() as printed:
        decision = evaluator.evaluate(policy_input)
    by_key: dict[str, list[int]] = {}
    unkeyed: list[int] = []
    for cid, key in parse_hits(printed[0]):
        (by_key.setdefault(key, []) if key is not None else unkeyed).append(cid)
    return Trace(decision, by_key, unkeyed, source)


def where(clause: Clause | None) -> str:
    return f"{clause.where} {clause.label}" if clause is not None else "(not found)"


def _rule_json(clause: Clause | None, source: Source) -> dict[str, Any] | None:
    if clause is None:
        return None
    found = source.annotations.get(clause.id)
    return {"file": clause.file, "line": clause.line, "rule": clause.label, "at": clause.where,
            "title": found.title if found is not None else None, "article": source.article(clause)}


def explain_report(bundle: PolicyBundle, policy_input: Mapping[str, Any], decided: Any,
                   paths: Sequence[tuple[str, str]] | None) -> dict[str, Any]:
    """The report of one decision: ``decided`` is the engine's (a FieldDecision, or the PolicyRefusal raised);
    ``paths`` the document's (path, coordinate) pairs, or None for a list of coordinates."""
    traced = trace(bundle, policy_input)
    kinds = {f["coordinate"]: (f["category"], f["kind"]) for f in policy_input["fields"]}
    head: dict[str, Any] = {"policyVersion": bundle.version, "subject": dict(policy_input["subject"]),
                            "purpose": policy_input["purpose"],
                            "legalBasisPresent": policy_input["legal_basis_present"],
                            "method": "rule located by an instrumented evaluation of the same input "
                                      "(gateway/policy/explain.py)"}
    refused_code = getattr(decided, "code", None)
    if refused_code is not None:
        reasons = list(getattr(decided, "reasons", []))
        head["refused"] = refused_code
        head["reasons"] = [{"reason": r, "rule": _rule_json(traced.rule_for(None, r), traced.source)} for r in reasons]
        head["consistent"] = traced.decision.get("refusal", {}).get("code") == refused_code
        return head
    result = decided.result
    fields: dict[str, Any] = {}
    for coordinate, effect in sorted(result.fields.items()):
        category, kind = kinds.get(coordinate, ("UNCLASSIFIED", "unknown"))
        fields[coordinate] = {"category": category, "kind": kind, "effect": effect.effect, "mask": effect.mask,
                              "reason": effect.reason, "rule": _rule_json(traced.rule_for(coordinate, effect.reason), traced.source)}
    traced_fields = traced.decision.get("fields", {})
    head["consistent"] = all(traced_fields.get(c, {}).get("effect") == f["effect"]
                             and traced_fields.get(c, {}).get("mask") == f["mask"] for c, f in fields.items())
    head["fields"] = fields
    if paths is not None:
        head["paths"] = [{"path": p, "coordinate": c, **{k: fields[c][k] for k in ("effect", "mask", "reason", "rule")}}
                         for p, c in paths if c in fields]
    head["rootFields"] = {key: {"effect": e.effect, "reason": e.reason,
                                "rule": _rule_json(traced.rule_for(key, e.reason), traced.source)}
                          for key, e in sorted(result.root_fields.items())}
    head["rowRules"] = [{"id": r.id, "effect": r.effect, "when": r.when, "coordinates": sorted(r.coordinates),
                         "reason": r.reason, "rule": _rule_json(traced.clause_of_row_rule(r.id, r.reason), traced.source)}
                        for r in result.row_rules]
    return head


def render_text(report: Mapping[str, Any]) -> str:
    """The terminal form: one line per path (or coordinate), then root calls and row rules."""
    s = report["subject"]
    lines = [f"policy {report['policyVersion']}  agency {s['agency']} ({s['kind']})  purpose {report['purpose']}  "
             f"legal basis {'yes' if report['legalBasisPresent'] else 'no'}"]
    if not report.get("consistent", True):
        lines.append("  WARNING: the instrumented evaluation disagrees with the engine; rules below may be wrong")
    if "refused" in report:
        lines.append(f"REFUSED {report['refused']}")
        for r in report["reasons"]:
            lines.append(f"  - {r['reason']}\n      rule {_at(r['rule'])}")
        return "\n".join(lines)
    rows = report.get("paths") or [{"path": c, "coordinate": c, **f} for c, f in report["fields"].items()]
    width = max([len(r["path"]) for r in rows] + [10])
    for r in rows:
        verdict = r["effect"] if r["effect"] != "mask" else f"mask:{r['mask']}"
        coordinate = f" ({r['coordinate']})" if r["path"] != r["coordinate"] else ""
        lines.append(f"  {r['path']:<{width}} {verdict:<20} {_at(r['rule'])}{coordinate}")
        lines.append(f"  {'':<{width}}   {r['reason']}")
    for key, e in report.get("rootFields", {}).items():
        lines.append(f"  root call {key}: {e['effect']}  {_at(e['rule'])}\n      {e['reason']}")
    for r in report.get("rowRules", []):
        lines.append(f"  row rule {r['id']}: {r['effect']}  {_at(r['rule'])}")
        lines.append(f"      when {r['when']}")
        lines.append(f"      {r['reason']}")
    return "\n".join(lines)


def _at(rule: Mapping[str, Any] | None) -> str:
    if not rule:
        return "(rule not located)"
    article = rule.get("article")
    return f"{rule['at']} {rule['rule']} [{article if article else 'no article: METADATA missing'}]"
