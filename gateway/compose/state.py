"""Shared state of one composition run and the small merge helpers every stage uses.

Per-element inputs are *sources*: a list aligned with the (name-sorted) subgraphs holding that element in each
subgraph or ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphql.language import ast

from .applications import application_key
from .errors import CompositionError, CompositionHint, SubgraphLocation
from .model import SType
from .subgraph import Subgraph
from .values import print_directive

T = TypeVar("T")
Sources = list[T | None]


@dataclass(slots=True)
class PendingDirectives:
    """Applied directives (composed ones, ``@deprecated``, ``@specifiedBy``) to add to ``dest`` once every join
    directive is in place: Apollo merges them last, so they print after the join directives."""

    sources: Sources[list[ast.DirectiveNode]]
    dest: list[str]
    coordinate: str


@dataclass
class MergeState:
    subgraphs: list[Subgraph]
    graph_enum: dict[str, str]
    types: dict[str, SType] = field(default_factory=dict)
    errors: list[CompositionError] = field(default_factory=list)
    hints: list[CompositionHint] = field(default_factory=list)
    enum_usage: dict[str, str] = field(default_factory=dict)
    pending: list[PendingDirectives] = field(default_factory=list)
    # Repeatability of each composed directive as the supergraph defines it (set once definitions are merged).
    repeatable: dict[str, bool] = field(default_factory=dict)

    def graph(self, index: int) -> str:
        """The ``join__Graph`` value of the subgraph at ``index``."""
        return self.graph_enum[self.subgraphs[index].name]

    def names(self, sources: Sequence[Any | None]) -> str:
        """Human-readable list of the subgraphs where ``sources`` is defined."""
        names = [f'"{self.subgraphs[i].name}"' for i, s in enumerate(sources) if s is not None]
        return ("subgraph " if len(names) == 1 else "subgraphs ") + ", ".join(names)

    def error(self, code: str, message: str, locations: Sequence[SubgraphLocation | None] = ()) -> None:
        self.errors.append(CompositionError(code, message, tuple(loc for loc in locations if loc is not None)))

    def hint(self, code: str, message: str) -> None:
        self.hints.append(CompositionHint(code, message))

    def is_member(self, abstract: str, obj: str) -> bool:
        """Does ``obj`` implement or belong to ``abstract`` in the supergraph being built?"""
        target = self.types.get(abstract)
        candidate = self.types.get(obj)
        if target is None or candidate is None:
            return False
        if target.kind == "UNION":
            return obj in target.members
        return abstract in candidate.interfaces

    def record_usage(self, type_name: str, position: str) -> None:
        """Remember that enum ``type_name`` is used in ``position`` (``Input`` or ``Output``)."""
        if self.types.get(type_name) is None or self.types[type_name].kind != "ENUM":
            return
        existing = self.enum_usage.get(type_name)
        self.enum_usage[type_name] = position if existing in (None, position) else "Both"

    def defer_directives(self, sources: Sources[list[ast.DirectiveNode]], dest: list[str], coordinate: str) -> None:
        if any(s for s in sources):
            self.pending.append(PendingDirectives(sources, dest, coordinate))

    def apply_pending_directives(self) -> None:
        """Merge the deferred applied directives as Apollo's ``mergeAppliedDirective`` does: applications are the
        same when their arguments with defaults filled in are equal, and the first one (in subgraph order) is
        printed as written; a repeatable directive keeps every distinct application, a non-repeatable one must
        have a single distinct application."""
        for item in self.pending:
            names: list[str] = []
            for directives in item.sources:
                for d in directives or ():
                    if d.name.value not in names:
                        names.append(d.name.value)
            for name in names:
                printed: list[str] = []
                keys: list[object] = []
                per_graph: list[tuple[int, str]] = []
                for index, directives in enumerate(item.sources):
                    for d in directives or ():
                        if d.name.value != name:
                            continue
                        text = print_directive(d)
                        per_graph.append((index, text))
                        key = application_key(self.subgraphs[index], d)
                        if key not in keys:
                            keys.append(key)
                            printed.append(text)
                if self.repeatable.get(name, False) or len(printed) == 1:
                    item.dest.extend(printed)
                    continue
                # Apollo keeps the most frequent application with a hint; a classification that differs between
                # subgraphs would make policy depend on which subgraph answers, so it is an error here.
                detail = "; ".join(f'{text} in "{self.subgraphs[i].name}"' for i, text in per_graph)
                self.error(
                    "INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS",
                    f'Non-repeatable directive @{name} is applied to "{item.coordinate}" with different arguments '
                    f"across subgraphs: {detail}",
                )
        self.pending.clear()


def merge_description(state: MergeState, sources: Sequence[Any | None], coordinate: str) -> str | None:
    """Apollo's rule: the only description, else the only non-empty one, else the most frequent (with a hint)."""
    descriptions: list[str] = []
    counts: list[int] = []
    for source in sources:
        text = getattr(source, "description", None) if source is not None else None
        if text is None:
            continue
        if text in descriptions:
            counts[descriptions.index(text)] += 1
        else:
            descriptions.append(text)
            counts.append(-(2**53) if text == "" else 1)
    if not descriptions:
        return None
    non_empty = [d for d in descriptions if d != ""]
    if len(descriptions) == 1:
        return descriptions[0]
    if len(non_empty) == 1:
        return non_empty[0]
    state.hint("INCONSISTENT_DESCRIPTION", f'Element "{coordinate}" has inconsistent descriptions across subgraphs.')
    return descriptions[counts.index(max(counts))]
