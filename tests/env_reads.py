"""Which environment variables the code reads, found by reading the code (an AST scan), with their defaults.

Used by tests/test_kubernetes.py to check that the production overlay sets every variable the serving code needs,
without a list kept by hand: ``env.get("X", default)``, ``env.get("X") or default``, ``env["X"]``,
``os.getenv``, helpers called as ``helper(env, "X", default)`` (``_int``, ``parse_choice``...), and f-strings over
a subgraph's prefix (``f"{prefix}_HOST"``) are all reads.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VARIABLE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
# A default that only fits a developer's machine: loopback, SQLite, a file under the data directory or the
# checkout, a development value.
LOCAL_DEFAULT = re.compile(
    r"127\.0\.0\.1|localhost|sqlite|://|^file:|dev|^\.?/|(?:^|/)data(?:/|$)|\.(?:json|jsonl|db|graphql)$", re.I)
# Not on the serving path: `make run` (gateway/dev.py), composition (a build-time CLI), tests.
NOT_SERVING = ("gateway/dev.py", "gateway/compose/", "gateway/tests/", "subgraphs/common/tests/")


@dataclass(frozen=True)
class Read:
    name: str
    default: tuple[str, ...] | None  # the strings the default is made of; None: no default (or ``or None``)
    where: str


def _modules(roots: tuple[str, ...]) -> Iterator[Path]:
    for root in roots:
        for path in sorted((REPO / root).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if not any(rel == n or rel.startswith(n) for n in NOT_SERVING):
                yield path


def _constants(tree: ast.Module) -> dict[str, object]:
    """Module-level names: a constant's value, or the expression assigned (``REPO_ROOT / "policies" / …``)."""
    out: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = node.value.value if isinstance(node.value, ast.Constant) else node.value
    return out


def _names(node: ast.expr, prefixes: tuple[str, ...]) -> list[str]:
    """A variable name a call reads: a literal, or an f-string over a subgraph prefix (``f"{prefix}_HOST"``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and VARIABLE.match(node.value):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts = ["{}" if isinstance(v, ast.FormattedValue) else str(v.value) for v in node.values]
        template = "".join(parts)
        if template.startswith("{}_") and template.count("{}") == 1 and VARIABLE.match("X" + template[2:]):
            return [template.format(p) for p in prefixes]
    return []


def _is_environment(node: ast.expr) -> bool:
    """``env``, ``os.environ``, ``os.environ if env is None else env``: the first argument of a helper that reads
    a variable (``parse_choice(env, "X", ...)``)."""
    return any((isinstance(n, ast.Name) and n.id in ("env", "environ"))
               or (isinstance(n, ast.Attribute) and n.attr == "environ") for n in ast.walk(node))


def _default(node: ast.expr | None, consts: Mapping[str, object]) -> tuple[str, ...] | None:
    """What a default is made of: the string (or number) constants in it, module constants resolved; None when
    there is none or it is ``None``."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    if isinstance(node, ast.Name) and node.id in consts and not isinstance(consts[node.id], ast.AST):
        return None if consts[node.id] is None else (str(consts[node.id]),)
    parts: list[str] = []
    todo, seen = [node], set()
    while todo:
        for sub in ast.walk(todo.pop()):
            if isinstance(sub, ast.Constant) and sub.value is not None:
                parts.append(str(sub.value))
            elif isinstance(sub, ast.Name) and sub.id in consts and sub.id not in seen:
                seen.add(sub.id)
                value = consts[sub.id]
                if isinstance(value, ast.AST):
                    todo.append(value)  # type: ignore[arg-type]
                elif value is not None:
                    parts.append(str(value))
    return tuple(parts)


def reads(roots: tuple[str, ...], prefixes: tuple[str, ...] = ()) -> dict[str, Read]:
    """Every environment variable the modules under ``roots`` read: ``env.get("X", default)``,
    ``env.get("X") or default``, ``env["X"]``, ``os.getenv``, and helpers called as ``helper(env, "X", default)``
    (``_int``, ``parse_choice``...)."""
    found: dict[str, Read] = {}
    for path in _modules(roots):
        tree = ast.parse(path.read_text(), str(path))
        consts = _constants(tree)
        # `env.get("A") or env.get("B") or default`: what each read falls back to is the chain's last value
        fallback = {id(value): node.values[-1] for node in ast.walk(tree)
                    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) for value in node.values[:-1]}
        for node in ast.walk(tree):
            hits: list[tuple[list[str], tuple[str, ...] | None]] = []
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in ("get", "getenv"):
                    default = node.args[1] if len(node.args) > 1 else fallback.get(id(node))
                    hits.append((_names(node.args[0], prefixes), _default(default, consts)))
                elif len(node.args) >= 2 and _is_environment(node.args[0]):
                    default = node.args[2] if len(node.args) > 2 else None
                    hits.append((_names(node.args[1], prefixes), _default(default, consts)))
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "env":
                hits.append((_names(node.slice, prefixes), None))
            for names, default in hits:
                for name in names:
                    where = f"{path.relative_to(REPO)}:{node.lineno}"
                    previous = found.get(name)
                    if previous is None or (previous.default is None and default is not None):
                        found[name] = Read(name, default, where)
    return found


def required(found: Mapping[str, Read]) -> dict[str, Read]:
    """What production must set: read with no default, or with one that only fits a developer's machine
    (loopback, SQLite, a file under the data directory, a development value)."""
    return {n: r for n, r in found.items()
            if (r.default is None or any(LOCAL_DEFAULT.search(p) for p in r.default))}
