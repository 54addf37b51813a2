"""Composition errors and hints: what went wrong, in which subgraph, and where.

Errors are values, not exceptions with stack traces: the CLI prints them one per line with the subgraph name and
the line/column of the offending definition, and exits with code 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class SubgraphLocation:
    """A position in one subgraph's SDL (1-based line and column)."""

    subgraph: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.subgraph}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class CompositionError:
    """One composition error, with Apollo's error code where one exists (e.g. ``INVALID_FIELD_SHARING``)."""

    code: str
    message: str
    locations: tuple[SubgraphLocation, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        where = f" (at {', '.join(str(loc) for loc in self.locations)})" if self.locations else ""
        return f"[{self.code}] {self.message}{where}"


@dataclass(frozen=True, slots=True)
class CompositionHint:
    """Something legal but suspicious (e.g. a description that differs across subgraphs)."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"hint [{self.code}] {self.message}"


class CompositionFailed(Exception):
    """Raised by :func:`gateway.compose.compose` when the subgraphs cannot be composed."""

    def __init__(self, errors: list[CompositionError]) -> None:
        super().__init__(f"{len(errors)} composition error(s)")
        self.errors = errors

    def report(self) -> str:
        """A human-readable report, one error per line."""
        lines = [f"Composition failed with {len(self.errors)} error(s):"]
        lines.extend(f"  - {err}" for err in self.errors)
        return "\n".join(lines)
