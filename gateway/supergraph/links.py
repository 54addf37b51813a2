"""The features a supergraph links (``@link`` of link v1.0, or ``@core`` of the older core spec v0.1/v0.2).

A supergraph names the specs it relies on on its schema definition::

    schema @link(url: "https://specs.apollo.dev/link/v1.0")
           @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
           @link(url: "https://specs.apollo.dev/tag/v0.3", as: "label", import: [{name: "@tag", as: "@label"}])

Each linked feature's elements are named in the schema either by import (``@label``) or by the feature's prefix
(``join__type``, or ``j__type`` under ``as: "j"``), so the loader asks :class:`LinkedFeature` for the local name of
every element it reads instead of assuming ``join__``. The link and core specs require a router to refuse a
schema that links, ``for: EXECUTION`` or ``for: SECURITY``, a feature it does not implement:
:func:`check_support` does that with a message naming the feature.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    value_from_ast_untyped,
)

from .errors import SupergraphError

APOLLO_SPECS = "https://specs.apollo.dev"
LINK_IDENTITY = f"{APOLLO_SPECS}/link"
CORE_IDENTITY = f"{APOLLO_SPECS}/core"
JOIN_IDENTITY = f"{APOLLO_SPECS}/join"

# What this router implements, by feature identity: the versions it honours. A feature linked `for: EXECUTION` or
# `for: SECURITY` outside this table makes the supergraph unservable (the link spec's rule for routers).
SUPPORTED_FEATURES: Mapping[str, frozenset[tuple[int, int]]] = {
    CORE_IDENTITY: frozenset({(0, 1), (0, 2)}),
    LINK_IDENTITY: frozenset({(1, 0)}),
    JOIN_IDENTITY: frozenset({(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)}),
    f"{APOLLO_SPECS}/tag": frozenset({(0, 1), (0, 2), (0, 3)}),
    f"{APOLLO_SPECS}/inaccessible": frozenset({(0, 1), (0, 2)}),
    f"{APOLLO_SPECS}/context": frozenset({(0, 1)}),
    f"{APOLLO_SPECS}/cost": frozenset({(0, 1)}),
}

_VERSION = re.compile(r"^v(\d+)\.(\d+)$")


class FeatureError(SupergraphError):
    """The schema's ``@link``/``@core`` declarations are malformed or name a feature this router cannot honour."""


def directive_args(directive: DirectiveNode) -> dict[str, Any]:
    """The directive's arguments as plain Python values (``arguments`` is ``None`` on ``@inaccessible``)."""
    return {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}


@dataclass(frozen=True, slots=True)
class LinkedFeature:
    """One ``@link``/``@core``: the spec's URL split into identity, name and version, and its local names."""

    url: str
    identity: str  # the URL without its version: https://specs.apollo.dev/join
    name: str  # the spec's own name: join
    version: tuple[int, int] | None
    name_in_schema: str  # `as:` if given, else the spec's name: the prefix of its elements (join__type)
    purpose: str | None = None  # EXECUTION | SECURITY | None
    # element as named by the spec ("@key", "FieldSet") -> its name in this schema ("@primaryKey", "FieldSet")
    imports: Mapping[str, str] = field(default_factory=dict)

    @property
    def version_text(self) -> str:
        return f"v{self.version[0]}.{self.version[1]}" if self.version else "(no version)"

    def directive_name(self, element: str) -> str:
        """The local name of the spec's directive ``element`` (``"type"`` -> ``"join__type"``)."""
        imported = self.imports.get("@" + element)
        if imported is not None:
            return imported[1:]
        return self.name_in_schema if element == self.name else f"{self.name_in_schema}__{element}"

    def type_name(self, element: str) -> str:
        """The local name of the spec's type ``element`` (``"Graph"`` -> ``"join__Graph"``)."""
        return self.imports.get(element) or f"{self.name_in_schema}__{element}"

    def spec_directive(self, local: str) -> str | None:
        """The spec's name for the local directive ``local`` if this feature defines it, else ``None``."""
        for spec_name, local_name in self.imports.items():
            if local_name == "@" + local:
                return spec_name[1:]
        if local == self.name_in_schema:
            return self.name
        prefix = self.name_in_schema + "__"
        return local[len(prefix):] if local.startswith(prefix) else None

    def owns_type(self, local: str) -> bool:
        return local.startswith(self.name_in_schema + "__") or local in self.imports.values()


@dataclass(frozen=True, slots=True)
class Features:
    """Every feature the schema links, the link (or core) spec itself first."""

    bootstrap: LinkedFeature  # the link or core spec's own @link/@core
    linked: tuple[LinkedFeature, ...]

    def by_identity(self, identity: str) -> LinkedFeature | None:
        return next((f for f in self.linked if f.identity == identity), None)

    def apollo(self, name: str) -> LinkedFeature | None:
        """The linked Apollo spec ``name`` (``"join"``, ``"inaccessible"``...), if any."""
        return self.by_identity(f"{APOLLO_SPECS}/{name}")

    def owner_of_directive(self, local: str) -> tuple[LinkedFeature, str] | None:
        """The feature defining the local directive ``local`` and the spec's name for it."""
        for feature in self.linked:
            spec_name = feature.spec_directive(local)
            if spec_name is not None:
                return feature, spec_name
        return None

    def owns_type(self, local: str) -> bool:
        return any(f.owns_type(local) for f in self.linked)


def parse_feature_url(url: str) -> tuple[str, str, tuple[int, int] | None]:
    """``https://specs.apollo.dev/join/v0.3`` -> (identity, ``"join"``, (0, 3))."""
    base = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    parts = base.split("/")
    match = _VERSION.match(parts[-1]) if parts else None
    if match is None:
        return base, parts[-1] if parts else base, None
    identity = "/".join(parts[:-1])
    return identity, parts[-2] if len(parts) > 1 else "", (int(match[1]), int(match[2]))


def _imports(raw: Any, where: str) -> dict[str, str]:
    imports: dict[str, str] = {}
    for item in raw or ():
        if isinstance(item, str):
            imports[item] = item
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            alias = item.get("as") or item["name"]
            if item["name"].startswith("@") != str(alias).startswith("@"):
                raise FeatureError(f"{where}: import {item!r} renames a directive to a type or the reverse")
            imports[item["name"]] = str(alias)
        else:
            raise FeatureError(f"{where}: cannot read import {item!r}")
    return imports


def _schema_directives(document: DocumentNode) -> list[DirectiveNode]:
    return [d for definition in document.definitions
            if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode)
            for d in definition.directives or ()]


def read_features(document: DocumentNode) -> Features | None:
    """The features linked on the schema definition, or ``None`` if the schema is not a core/link schema."""
    directives = _schema_directives(document)
    bootstrap_name: str | None = None
    for d in directives:  # the link (or core) spec names itself first, possibly under another name (`as:`)
        args = directive_args(d)
        url = args.get("url", args.get("feature"))
        if not isinstance(url, str):
            continue
        identity, name, _ = parse_feature_url(url)
        if identity in (LINK_IDENTITY, CORE_IDENTITY) and d.name.value == (args.get("as") or name):
            bootstrap_name = d.name.value
            break
    if bootstrap_name is None:
        return None
    linked: list[LinkedFeature] = []
    for d in directives:
        if d.name.value != bootstrap_name:
            continue
        args = directive_args(d)
        url = args.get("url", args.get("feature"))
        where = f"@{bootstrap_name}({', '.join(f'{k}: {v!r}' for k, v in args.items())})"
        if not isinstance(url, str):
            raise FeatureError(f"{where}: no url")
        identity, name, version = parse_feature_url(url)
        purpose = args.get("for")
        if purpose is not None and purpose not in ("EXECUTION", "SECURITY"):
            raise FeatureError(f"{where}: unknown purpose {purpose!r} (EXECUTION or SECURITY)")
        linked.append(LinkedFeature(url=url, identity=identity, name=name, version=version,
                                    name_in_schema=str(args.get("as") or name), purpose=purpose,
                                    imports=_imports(args.get("import"), where)))
    bootstrap = next(f for f in linked if f.identity in (LINK_IDENTITY, CORE_IDENTITY)
                     and f.name_in_schema == bootstrap_name)
    return Features(bootstrap=bootstrap, linked=tuple(linked))


def unsupported(features: Features,
                supported: Mapping[str, Iterable[tuple[int, int]]] = SUPPORTED_FEATURES) -> list[str]:
    """Why this router cannot serve a schema with these features (empty when it can)."""
    problems: list[str] = []
    core = features.bootstrap
    if core.identity == CORE_IDENTITY and core.version == (0, 1):
        with_purpose = [f.url for f in features.linked if f.purpose]
        if with_purpose:
            problems.append(f"core v0.1 has no `for:` argument but {', '.join(with_purpose)} uses it "
                            "(upgrade to core v0.2 or link v1.0)")
    for feature in features.linked:
        versions = set(supported.get(feature.identity, ()))
        must_honour = feature.purpose in ("EXECUTION", "SECURITY") or feature.identity in (
            CORE_IDENTITY, LINK_IDENTITY, JOIN_IDENTITY)
        if must_honour and feature.version not in versions:
            known = ", ".join(f"v{a}.{b}" for a, b in sorted(versions))
            purpose = f" for: {feature.purpose}" if feature.purpose else ""
            what = f"version {feature.version_text} (this router implements {known})" if known else (
                "a feature this router does not implement")
            problems.append(f"{feature.url}{purpose}: {what}")
    return problems


def check_support(features: Features) -> None:
    """Raise :class:`FeatureError` naming every linked feature this router must honour but cannot."""
    problems = unsupported(features)
    if problems:
        raise FeatureError("the supergraph needs features this router cannot honour, and a router must refuse "
                           "rather than serve it wrongly: " + "; ".join(problems))
