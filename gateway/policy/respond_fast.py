"""Per-node generated walk functions for :mod:`gateway.policy.respond`.

``_Walker.obj`` interprets a compiled :class:`~gateway.policy.respond_plan.Node` for every row: per step it reads
the step's attributes and branches on its kind, per reserved field it calls a tree of quick-check lambdas. For a
node walked often (the rows of a list) :func:`generate` writes one Python function that does the same work with
the node's decisions resolved into the code, as graphql-jit or fast serialisers do: released scalars copied
by constant keys, quick checks as one inline expression, subjects read from locals, lists of objects walked in a
loop that calls the child's function. Anything uncommon (a null or invalid value, a withheld or masked field, a
row rule that withholds fields, a value of an unexpected shape) goes to the walker's general code from the very
point where it differs, so there is exactly one implementation of every case that produces errors or records.

Only names generated here and constants held in the function's namespace appear in the source: keys, type names
and values from the schema or the operation are never written into the code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..cache_weight import put
from ..planning.shape import ABSTRACT, LEAF, OBJECT, RAW, ObjectShape, TypeRef
from .apply import _FILTERED as FILTERED
from .apply import _UNKNOWN_SUBJECT, SILENT, _SubjectReads, _subjects
from .respond_plan import ALLOW, FIELD, RAW_VALUE, TYPENAME, Node, ResponsePlan, Step, quick_check

log = logging.getLogger(__name__)

BUBBLE: Any = object()  # a non-null position received null: the parent must become null
ROW_FILTERED: Any = object()  # a row rule filtered the row out: a list drops it, a field becomes null


class _Source:
    """The generated function's lines and namespace."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.ns: dict[str, Any] = {"BUBBLE": BUBBLE, "ROWF": ROW_FILTERED, "FILTERED": FILTERED, "SILENT": SILENT,
                                   "subjects_of": _subjects}
        self._consts: dict[int, str] = {}
        self._temps = 0

    def const(self, value: Any) -> str:
        name = self._consts.get(id(value))
        if name is None:
            name = self._consts[id(value)] = f"c{len(self._consts)}"
            self.ns[name] = value
        return name

    def temp(self) -> str:
        self._temps += 1
        return f"t{self._temps}"

    def add(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)


def generate(plan: ResponsePlan, node: Node) -> Callable[..., Any] | None:
    """The function ``run(walker, raw, inherited)`` that walks one row of ``node`` exactly as ``_Walker.obj``
    does; None (the general walk stays) if generating it fails, which only costs speed."""
    try:
        src = _Source()
        _body(src, plan, node)
        text = "def run(w, raw, inherited):\n" + "\n".join(src.lines) + "\n"
        entry = plan.code.get(text)
        if entry is None:
            entry = put(plan.code, text, (compile(text, f"<respond_fast {node.type_name}>", "exec"), len(text)))
        code = entry[0]
        exec(code, src.ns)  # only our own names: see above
        return src.ns["run"]  # type: ignore[no-any-return]
    except Exception:  # a bug here must not fail a response: the general walk is the reference
        log.exception("respond_fast: no generated walk for %s", node.type_name)
        return None


def _body(src: _Source, plan: ResponsePlan, node: Node) -> None:
    tn = src.const(node.type_name)
    src.add(1, "path = w.path")
    # reserved fields, as locals h0.. (the rules and the subjects read them)
    locals_by_key: dict[str, str] = {}
    for i, step in enumerate(node.hidden):
        var = locals_by_key[step.key] = f"h{i}"
        if step.type is None:  # _lt_type: the runtime type
            src.add(1, f"{var} = {tn}")
            continue
        check = _quick_expr(src, step.type, step.sub, var) if step.quick is not None else None
        st = src.const(step)
        if check is not None:
            src.add(1, f"{var} = raw.get({src.const(step.source)})")
            if check == "True":
                continue
            src.add(1, f"if not {check}:")
            src.add(2, f"{var} = w.hidden_field(raw, {st}, {tn})")
            src.add(2, f"if {var} is BUBBLE: return BUBBLE")
        else:
            src.add(1, f"{var} = w.hidden_field(raw, {st}, {tn})")
            src.add(1, f"if {var} is BUBBLE: return BUBBLE")
    # a row with no rules and no child rows reads its subjects only to audit them: their keys go to the audit set
    # at the end, without the (key, facts) tuples
    audit_only = (not node.is_root and node.reads is not None and not node.rules
                  and all(step.sub is None for step in node.steps))
    if audit_only:
        src.add(1, "subjects = ()  # read by no step below (no child rows)")
        audited = False
    else:
        audited = _subjects_code(src, node, locals_by_key)
    withholdable: frozenset[str] = frozenset()
    if node.rules:
        hidden = ", ".join(f"{src.const(k)}: {v}" for k, v in locals_by_key.items())
        src.add(1, f"verdict = w.row_verdict({src.const(node)}, {{{hidden}}}, subjects)")
        src.add(1, "if verdict is FILTERED: return ROWF")
        src.add(1, "if verdict is SILENT: return SILENT")
        withholdable = frozenset().union(*(rule.coordinates for rule in node.rules))
    src.add(1, "out = {}")
    for step in node.steps:
        if step.kind == FIELD and step.coordinate in withholdable:
            # a rule may withhold it on this row (the verdict names it): the general code decides
            src.add(1, f"if {src.const(step.coordinate)} in verdict:")
            src.add(2, f"if w.step(raw, {src.const(step)}, {src.const(node.type_name)}, subjects, verdict, out) "
                       "is BUBBLE: return BUBBLE")
            src.add(1, "else:")
            _step_code(src, plan, node, step, 2)
        else:
            _step_code(src, plan, node, step, 1)
    if audited:
        src.add(1, "add = w.subjects.add")
        src.add(1, "for k, _ in subjects:")
        src.add(2, "if k is not None: add(k)")
    elif audit_only:
        _audit_code(src, node, locals_by_key)
    src.add(1, "return out")


def _quick_expr(src: _Source, ref: TypeRef | None, sub: dict[str, ObjectShape] | None, value: str) -> str | None:
    """An expression true exactly when ``quick_check(ref, sub)(value)`` is (``value`` evaluated once); None when
    no quick check applies."""
    if ref is None or ref.kind == RAW:
        return None
    nullable = ref.nullable
    if ref.of is not None:  # a list in a reserved field (rare): the compiled check
        check = quick_check(ref, sub)
        return None if check is None else f"{src.const(check)}({value})"
    if ref.kind == LEAF:
        if ref.values is None:
            return "True" if nullable else f"({value} is not None)"
        t, values = src.temp(), src.const(ref.values)
        if nullable:
            return f"(({t} := {value}) is None or (type({t}) is str and {t} in {values}))"
        return f"(type({t} := {value}) is str and {t} in {values})"
    shape = sub.get(ref.name) if sub is not None and ref.kind == OBJECT else None
    if shape is None or len(sub or ()) != 1:
        return None
    t = src.temp()
    parts = []
    for f in shape.fields:
        if f.key != f.source or f.alt is not None:
            return None
        part = _quick_expr(src, f.type, f.sub, f"{t}.get({src.const(f.key)})")
        if part is None:
            return None
        if part != "True":
            parts.append(part)
    fields = "".join(f" and {p}" for p in parts)
    if nullable:
        return f"(({t} := {value}) is None or (type({t}) is dict{fields}))"
    return f"(type({t} := {value}) is dict{fields})"


def _subjects_code(src: _Source, node: Node, hidden: dict[str, str]) -> bool:
    """``subjects = apply._subjects(hidden, node.reads, inherited)`` from the locals; whether a subject key can
    be audited."""
    reads = node.reads
    if node.is_root:
        src.add(1, "subjects = ()")
        return False
    if reads is None:
        src.add(1, f"subjects = {src.const((_UNKNOWN_SUBJECT,))}")
        return False
    src.add(1, "found = list(inherited)" if reads.inherit else "found = []")
    if reads.self_read is not None:
        key, facts = (hidden.get(a, "None") for a in reads.self_read)
        src.add(1, f"found.append(({key} if type({key}) is str else None, {facts} if type({facts}) is dict else None))")
    for alias, key_field, facts_key in reads.fields:
        var = hidden.get(alias)
        if var is None:  # not selected: read as null, no subject
            continue
        kf, fk = src.const(key_field), src.const(facts_key)
        src.add(1, f"if type({var}) is dict:")
        src.add(2, f"k = {var}.get({kf}); f = {var}.get({fk})")
        src.add(2, "found.append((k if type(k) is str else None, f if type(f) is dict else None))")
        src.add(1, f"elif {var} is not None:")
        # a list of subjects, or an invalid value: the general code, on this one field
        one = src.const(_SubjectReads(False, False, None, ((alias, key_field, facts_key),)))
        src.add(2, f"found.extend(subjects_of({{{src.const(alias)}: {var}}}, {one}, ()))")
    if reads.own:
        src.add(1, f"if not found: found.append({src.const(_UNKNOWN_SUBJECT)})")
    src.add(1, "subjects = tuple(found)")
    return True


def _audit_code(src: _Source, node: Node, hidden: dict[str, str]) -> None:
    """Add the row's subject keys (those ``_subjects`` reads: a string key) to the audit set."""
    reads = node.reads
    assert reads is not None
    src.add(1, "add = w.subjects.add")
    if reads.inherit:
        src.add(1, "for k, _ in inherited:")
        src.add(2, "if k is not None: add(k)")
    if reads.self_read is not None and reads.self_read[0] in hidden:
        key = hidden[reads.self_read[0]]
        src.add(1, f"if type({key}) is str: add({key})")
    for alias, key_field, facts_key in reads.fields:
        var = hidden.get(alias)
        if var is None:
            continue
        src.add(1, f"if type({var}) is dict:")
        src.add(2, f"if type(k := {var}.get({src.const(key_field)})) is str: add(k)")
        src.add(1, f"elif {var} is not None:")
        one = src.const(_SubjectReads(False, False, None, ((alias, key_field, facts_key),)))
        src.add(2, f"for k, _ in subjects_of({{{src.const(alias)}: {var}}}, {one}, ()):")
        src.add(3, "if k is not None: add(k)")


def _step_code(src: _Source, plan: ResponsePlan, node: Node, step: Step, indent: int) -> None:
    tn, key = src.const(node.type_name), src.const(step.key)
    general = f"if w.step(raw, {src.const(step)}, {tn}, subjects, None, out) is BUBBLE: return BUBBLE"
    if step.fast:  # a released scalar
        src.add(indent, f"v = raw.get({src.const(step.source)})")
        test = "v is not None" if step.values is None else f"v is not None and v in {src.const(step.values)}"
        src.add(indent, f"if {test}: out[{key}] = v")
        src.add(indent, "else:")
        src.add(indent + 1, general)
        return
    if step.kind == TYPENAME:
        src.add(indent, f"out[{key}] = {tn}")
        return
    if step.kind == RAW_VALUE:
        src.add(indent, f"out[{key}] = raw.get({src.const(step.source)})")
        return
    ref = step.type
    if step.kind == FIELD and step.verdict == ALLOW and step.alt is None and ref is not None and step.sub:
        item = ref.of
        if item is not None and item.of is None and item.kind in (OBJECT, ABSTRACT):
            if _list_code(src, plan, node, step, item, indent, general):
                return
        if item is None and ref.kind in (OBJECT, ABSTRACT):
            if _object_code(src, plan, step, ref, indent, general):
                return
    src.add(indent, general)


def _child(src: _Source, plan: ResponsePlan, ref: TypeRef, sub: dict[str, ObjectShape], value: str
           ) -> tuple[str, str] | None:
    """(the condition under which the dict ``value`` has a child node, the call walking it); None when the shape
    has no child of ``ref``'s type (then the general code reports it)."""
    name = src.const(ref.name)
    if ref.kind == OBJECT:
        shape = sub.get(ref.name)
        if shape is None:
            return None
        node, held = src.const(plan.node(shape)), src.const(shape)
        return "", (f"r(w, {value}, subjects) if (r := {node}.run) is not None "
                        f"else w.obj({value}, {held}, subjects, {name})")
    nodes = src.const({t: (plan.node(shape), shape) for t, shape in sub.items()})
    return (f" and (ncs := {nodes}.get({value}.get('__typename') or {name})) is not None",
            f"r(w, {value}, subjects) if (r := ncs[0].run) is not None else w.obj({value}, ncs[1], subjects, {name})")


def _list_code(src: _Source, plan: ResponsePlan, node: Node, step: Step, item: TypeRef, indent: int, general: str
               ) -> bool:
    """A list of objects: ``field`` + ``value``'s list loop, the child's function called per dict item."""
    assert step.type is not None and step.sub is not None
    child = _child(src, plan, item, step.sub, "x")
    if child is None:
        return False
    condition, call = child
    ref_nullable = step.type.nullable
    give_up = "None" if ref_nullable else "BUBBLE"  # the list's own null (its nearest nullable position)
    tn, name = src.const(node.type_name), src.const(step.name)
    i = indent
    src.add(i, f"v = raw.get({src.const(step.source)})")
    src.add(i, "if type(v) is list:")
    src.add(i + 1, f"path.append({src.const(step.key)})")
    src.add(i + 1, "items = []")
    src.add(i + 1, "res = items")
    src.add(i + 1, "masked = w.masked")
    src.add(i + 1, "for n, x in enumerate(v):")
    j = i + 2
    src.add(j, f"if type(x) is dict{condition}:")
    src.add(j + 1, "path.append((n, len(items)))")
    src.add(j + 1, "recorded = len(masked)")
    src.add(j + 1, f"done = {call}")
    src.add(j + 1, "path.pop()")
    src.add(j + 1, "if done is BUBBLE or done is None:")
    if item.nullable:
        src.add(j + 2, "done = None")
    else:
        src.add(j + 2, f"res = {give_up}")
        src.add(j + 2, "break")
    src.add(j, "elif x is None:")
    if item.nullable:
        src.add(j + 1, "items.append(None)")
        src.add(j + 1, "continue")
    else:
        src.add(j + 1, "path.append((n, len(items)))")
        src.add(j + 1, f"w.null_error({tn}, {name})")
        src.add(j + 1, "path.pop()")
        src.add(j + 1, f"res = {give_up}")
        src.add(j + 1, "break")
    src.add(j, "else:")
    src.add(j + 1, "path.append((n, len(items)))")
    src.add(j + 1, "recorded = len(masked)")
    src.add(j + 1, f"done = w.value(x, {src.const(item)}, {src.const(step.sub)}, {tn}, {name}, subjects)")
    src.add(j + 1, "path.pop()")
    src.add(j + 1, "if done is BUBBLE:")
    src.add(j + 2, f"res = {give_up}")
    src.add(j + 2, "break")
    src.add(j, "if done is SILENT:")
    if item.nullable:
        src.add(j + 1, "items.append(None)")
    src.add(j + 1, "continue")
    src.add(j, "if done is ROWF:")
    src.add(j + 1, "for entry in masked[recorded:]:")
    src.add(j + 2, "if 'path' in entry: entry.setdefault('sourceIndex', n)")
    src.add(j + 1, "continue")
    src.add(j, "items.append(done)")
    src.add(i + 1, "path.pop()")
    src.add(i + 1, "if res is BUBBLE: return BUBBLE")
    src.add(i + 1, f"out[{src.const(step.key)}] = res")
    src.add(i, "else:")
    src.add(i + 1, general)
    return True


def _object_code(src: _Source, plan: ResponsePlan, step: Step, ref: TypeRef, indent: int, general: str) -> bool:
    """One object: ``field`` + ``value``, the child's function called for a dict."""
    assert step.sub is not None
    child = _child(src, plan, ref, step.sub, "v")
    if child is None:
        return False
    condition, call = child
    key = src.const(step.key)
    i = indent
    src.add(i, f"v = raw.get({src.const(step.source)})")
    src.add(i, f"if type(v) is dict{condition}:")
    src.add(i + 1, f"path.append({key})")
    src.add(i + 1, f"done = {call}")
    src.add(i + 1, "if done is BUBBLE or done is None:")
    src.add(i + 2, "done = None" if ref.nullable else "done = BUBBLE")
    src.add(i + 1, "if done is BUBBLE:")
    src.add(i + 2, "path.pop()")
    src.add(i + 2, "return BUBBLE")
    src.add(i + 1, "if done is ROWF or done is SILENT:")
    src.add(i + 2, f"if done is ROWF: w.filtered_field({src.const(step.coordinate)})")
    src.add(i + 2, "path.pop()")
    if not ref.nullable:
        src.add(i + 2, "return BUBBLE")
    else:
        src.add(i + 2, f"out[{key}] = None")
    src.add(i + 1, "else:")
    src.add(i + 2, "path.pop()")
    src.add(i + 2, f"out[{key}] = done")
    src.add(i, "else:")
    src.add(i + 1, general)
    return True
