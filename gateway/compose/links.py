"""``@link`` handling: which specifications a subgraph links and under which local names.

A Federation 2 subgraph links ``https://specs.apollo.dev/federation/v2.x``; directives it imports keep their
names (or an ``as:`` alias), the others are reachable as ``@federation__<name>`` (or ``@<as>__<name>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql.language import ast

from .errors import CompositionError

FEDERATION_IDENTITY = "https://specs.apollo.dev/federation"
LINK_IDENTITY = "https://specs.apollo.dev/link"
_URL = re.compile(r"^.*/(?P<name>[A-Za-z_][\w-]*)/v(?P<major>\d+)\.(?P<minor>\d+)$")

SUPPORTED_FEDERATION_DIRECTIVES = frozenset(
    {"key", "shareable", "external", "requires", "provides", "extends", "composeDirective"}
)
UNSUPPORTED_FEDERATION_DIRECTIVES = frozenset(
    {
        "override",
        "inaccessible",
        "tag",
        "interfaceObject",
        "authenticated",
        "requiresScopes",
        "policy",
        "context",
        "fromContext",
        "cost",
        "listSize",
    }
)


@dataclass(frozen=True, slots=True)
class Link:
    """One ``@link`` application. ``imports`` maps the name in the spec to the local name (both without ``@``)."""

    url: str
    identity: str
    name: str
    major: int
    minor: int
    alias: str | None
    imports: dict[str, str] = field(default_factory=dict)

    @property
    def is_federation(self) -> bool:
        return self.identity == FEDERATION_IDENTITY

    @property
    def prefix(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True, slots=True)
class FederationNames:
    """Local names of the federation directives in one subgraph."""

    link: Link

    def local(self, spec_name: str) -> str:
        if spec_name in self.link.imports:
            return self.link.imports[spec_name]
        return f"{self.link.prefix}__{spec_name}"

    def is_unsupported(self, directive_name: str) -> bool:
        return any(directive_name == self.local(n) for n in UNSUPPORTED_FEDERATION_DIRECTIVES)

    def is_federation_type(self, type_name: str) -> bool:
        return type_name.startswith(f"{self.link.prefix}__")

    @property
    def version(self) -> tuple[int, int]:
        return (self.link.major, self.link.minor)


def read_links(
    subgraph: str, schema_nodes: list[ast.Node]
) -> tuple[list[Link], FederationNames | None, list[CompositionError]]:
    """All ``@link`` applications of the schema definition/extensions, and the federation link among them."""
    links: list[Link] = []
    errors: list[CompositionError] = []
    for node in schema_nodes:
        for directive in node.directives or ():  # type: ignore[attr-defined]
            if directive.name.value != "link":
                continue
            link = _read_link(directive)
            if link is None:
                errors.append(CompositionError("INVALID_LINK_DIRECTIVE_USAGE", f"[{subgraph}] invalid @link url"))
                continue
            links.append(link)
    federation = [link for link in links if link.is_federation]
    if not federation:
        errors.append(
            CompositionError(
                "UNSUPPORTED_FEDERATION_VERSION",
                f'[{subgraph}] not a Federation 2 subgraph: no @link(url: "{FEDERATION_IDENTITY}/v2.x")',
            )
        )
        return links, None, errors
    fed = federation[0]
    if fed.major != 2:
        errors.append(
            CompositionError(
                "UNSUPPORTED_FEDERATION_VERSION", f"[{subgraph}] federation v{fed.major}.{fed.minor} is not supported"
            )
        )
        return links, None, errors
    return links, FederationNames(fed), errors


def _read_link(directive: ast.DirectiveNode) -> Link | None:
    url = alias = None
    imports: dict[str, str] = {}
    for argument in directive.arguments or ():
        value = argument.value
        if argument.name.value == "url" and isinstance(value, ast.StringValueNode):
            url = value.value
        elif argument.name.value == "as" and isinstance(value, ast.StringValueNode):
            alias = value.value
        elif argument.name.value == "import" and isinstance(value, ast.ListValueNode):
            for item in value.values:
                if isinstance(item, ast.StringValueNode):
                    imports[item.value.lstrip("@")] = item.value.lstrip("@")
                elif isinstance(item, ast.ObjectValueNode):
                    entry = {f.name.value: getattr(f.value, "value", None) for f in item.fields}
                    if isinstance(entry.get("name"), str):
                        name = str(entry["name"]).lstrip("@")
                        imports[name] = str(entry.get("as") or entry["name"]).lstrip("@")
    match = _URL.match(url or "")
    if url is None or match is None:
        return None
    return Link(
        url=url,
        identity=url.rsplit("/", 1)[0],
        name=match["name"],
        major=int(match["major"]),
        minor=int(match["minor"]),
        alias=alias,
        imports=imports,
    )
