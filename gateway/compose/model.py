"""The composed supergraph before printing: types, fields and the join-spec directives on them.

Applied directives are kept as printed strings (``@join__field(graph: POPULATION)``) in the order Apollo's
composition applies them, so that the printer only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class SArg:
    """An argument (of a field or directive definition) or an input field of the supergraph."""

    name: str
    type: str
    default: str | None = None
    description: str | None = None
    directives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SField:
    name: str
    type: str = ""
    description: str | None = None
    args: list[SArg] = field(default_factory=list)
    directives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SEnumValue:
    name: str
    description: str | None = None
    directives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SType:
    """A named type; which of ``fields``/``input_fields``/``values``/``members`` is used depends on ``kind``."""

    kind: str
    name: str
    description: str | None = None
    directives: list[str] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    fields: dict[str, SField] = field(default_factory=dict)
    input_fields: dict[str, SArg] = field(default_factory=dict)
    values: dict[str, SEnumValue] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SDirectiveDef:
    name: str
    description: str | None = None
    args: list[SArg] = field(default_factory=list)
    repeatable: bool = False
    locations: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Graph:
    """One subgraph as the supergraph names it: ``enum`` is its ``join__Graph`` value."""

    enum: str
    name: str
    url: str


@dataclass(slots=True)
class Supergraph:
    join_version: str
    graphs: list[Graph]
    links: list[str]
    roots: dict[str, str]
    directive_defs: dict[str, SDirectiveDef]
    types: dict[str, SType]
