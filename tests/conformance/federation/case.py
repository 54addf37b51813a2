"""The format of a federation conformance case: subgraphs (SDL + resolvers) and the operations to run on them.

One case per module in ``tests/conformance/federation/cases/<snake_name>.py``, exposing ``CASE``; every module
of that folder is imported by ``load_cases()`` (no registry to edit). A case is composed by Apollo's own
composition, served by Apollo Gateway and by our gateway over the same in-process subgraphs, and every ``Op`` is
compared (see ``compare.py`` for the rule).

Resolvers (graphql-core signature, see ``runtime.py``):
- ``resolvers["Type"]["field"](parent, info, **args)``; with no resolver a field reads the parent's dict key or
  attribute of the same name;
- ``resolvers["Type"]["__resolveReference"](representation, info) -> object | None`` answers ``_entities``;
- ``resolvers["Iface"]["__resolveType"](obj, info) -> type name`` for interfaces and unions (default: the
  object's ``__typename`` key);
- an exception raised by a resolver becomes a GraphQL error of that subgraph at that path.
Resolvers keep no module state: state (for mutations) lives in ``info.context["state"]``, a dict per subgraph
that the runner empties before each gateway runs the case's operations (in order, Apollo first, then ours), so
a resolver starts from ``info.context["state"].setdefault("key", <initial value>)``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).resolve().parent / "cases"
CASES_PACKAGE = "tests.conformance.federation.cases"


@dataclass(frozen=True)
class Subgraph:
    """One subgraph: its SDL as written (returned verbatim by ``_service { sdl }``) and its resolvers."""

    name: str
    sdl: str  # Fed v2 (`extend schema @link(url: "https://specs.apollo.dev/federation/v2.x", import: [...])`) or Fed 1 style
    resolvers: dict[str, dict[str, Callable[..., Any]]] = field(default_factory=dict)
    # resolvers["Type"]["field"](parent, info, **args) ; resolvers["Type"]["__resolveReference"](representation: dict, info) -> object | None
    # resolvers["Iface"]["__resolveType"](obj, info) -> type name ; default field resolver: dict key / attribute lookup
    # an exception raised by a resolver becomes a GraphQL error of that subgraph at that path


@dataclass(frozen=True)
class Op:
    """One operation of a case and, optionally, its answer written by hand from the spec.

    Name an operation the gateways must refuse before execution (validation, bad variables) ``*_refused``:
    otherwise an HTTP status other than 200 from Apollo Gateway is taken for a broken case."""

    name: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] | None = None  # None: Apollo Gateway's answer is the reference; set: the spec's answer, written by hand (say why in `note`)
    note: str = ""


@dataclass(frozen=True)
class Case:
    """A fixture supergraph: its subgraphs and the operations run against it."""

    name: str
    features: tuple[str, ...]  # e.g. ("@requires", "@requires with arguments")
    subgraphs: tuple[Subgraph, ...]
    operations: tuple[Op, ...]


def _extra_cases() -> list[Any]:
    """Modules of the folders named in ``FEDERATION_EXTRA_CASES`` (``os.pathsep``-separated): cases kept out of
    the repository (another team's supergraph under study, say), run by the same suite."""
    modules: list[Any] = []
    for folder in filter(None, os.environ.get("FEDERATION_EXTRA_CASES", "").split(os.pathsep)):
        for path in sorted(Path(folder).glob("*.py")):
            if path.name.startswith("_"):
                continue
            spec = importlib.util.spec_from_file_location(f"federation_extra_{path.stem}", path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot import {path}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            modules.append(module)
    return modules


def load_cases() -> list[Case]:
    """``CASE`` of every module in ``cases/`` (and of ``FEDERATION_EXTRA_CASES``), sorted by case name; names
    must be unique."""
    cases: list[Case] = []
    modules = [importlib.import_module(f"{CASES_PACKAGE}.{m.name}")
               for m in sorted(pkgutil.iter_modules([str(CASES_DIR)]), key=lambda m: m.name)
               if not m.name.startswith("_")]
    for module in [*modules, *_extra_cases()]:
        case = module.CASE
        if not isinstance(case, Case):
            raise TypeError(f"{module.__name__}.CASE is not a Case")
        cases.append(case)
    names = [case.name for case in cases]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"duplicate case names: {duplicates}")
    return sorted(cases, key=lambda c: c.name)
