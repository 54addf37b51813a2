"""The ``join`` and ``link`` specifications as Apollo's composition prints them in a supergraph.

The join version follows the federation version the subgraphs link, as ``@apollo/composition`` does:
federation 2.0–2.6 → join v0.3, 2.7 → v0.4, 2.8 and later → v0.5.
"""

from __future__ import annotations

import re

from .model import Graph, SArg, SDirectiveDef, SEnumValue, SType
from .values import print_string

LINK_URL = "https://specs.apollo.dev/link/v1.0"
JOIN_IDENTITY = "https://specs.apollo.dev/join"


def join_version(federation: tuple[int, int]) -> tuple[int, int]:
    """The join spec version Apollo uses for the highest federation version linked by the subgraphs."""
    if federation >= (2, 8):
        return (0, 5)
    if federation >= (2, 7):
        return (0, 4)
    return (0, 3)


def graph_enum_names(subgraph_names: list[str]) -> dict[str, str]:
    """Subgraph name → ``join__Graph`` value, sanitised and de-duplicated like Apollo's ``populateGraphEnum``."""
    by_sanitized: dict[str, list[str]] = {}
    for name in subgraph_names:
        by_sanitized.setdefault(_sanitize(name), []).append(name)
    result: dict[str, str] = {}
    for sanitized, names in by_sanitized.items():
        if len(names) == 1:
            result[names[0]] = sanitized
        else:
            for index, name in enumerate(names, start=1):
                result[name] = f"{sanitized}_{index}"
    return result


def _sanitize(name: str) -> str:
    value = re.sub(r"\W", "_", name, flags=re.ASCII)
    if re.match(r"^\d", value):
        value = "_" + value
    if re.search(r"_\d+$", value):
        value += "_"
    return value.upper()


def join_directive_defs(version: tuple[int, int]) -> list[SDirectiveDef]:
    """Definitions of the ``join__*`` directives for ``version`` (0.3 to 0.5)."""
    field_args = [
        SArg("graph", "join__Graph"),
        SArg("requires", "join__FieldSet"),
        SArg("provides", "join__FieldSet"),
        SArg("type", "String"),
        SArg("external", "Boolean"),
        SArg("override", "String"),
        SArg("usedOverridden", "Boolean"),
    ]
    defs = [
        SDirectiveDef("join__enumValue", None, [SArg("graph", "join__Graph!")], True, ["ENUM_VALUE"]),
        SDirectiveDef("join__field", None, field_args, True, ["FIELD_DEFINITION", "INPUT_FIELD_DEFINITION"]),
        SDirectiveDef("join__graph", None, [SArg("name", "String!"), SArg("url", "String!")], False, ["ENUM_VALUE"]),
        SDirectiveDef(
            "join__implements",
            None,
            [SArg("graph", "join__Graph!"), SArg("interface", "String!")],
            True,
            ["OBJECT", "INTERFACE"],
        ),
        SDirectiveDef(
            "join__type",
            None,
            [
                SArg("graph", "join__Graph!"),
                SArg("key", "join__FieldSet"),
                SArg("extension", "Boolean!", "false"),
                SArg("resolvable", "Boolean!", "true"),
                SArg("isInterfaceObject", "Boolean!", "false"),
            ],
            True,
            ["OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT", "SCALAR"],
        ),
        SDirectiveDef(
            "join__unionMember",
            None,
            [SArg("graph", "join__Graph!"), SArg("member", "String!")],
            True,
            ["UNION"],
        ),
    ]
    if version >= (0, 4):
        defs.insert(
            0,
            SDirectiveDef(
                "join__directive",
                None,
                [SArg("graphs", "[join__Graph!]"), SArg("name", "String!"), SArg("args", "join__DirectiveArguments")],
                True,
                ["SCHEMA", "OBJECT", "INTERFACE", "FIELD_DEFINITION"],
            ),
        )
        field_args.append(SArg("overrideLabel", "String"))
    if version >= (0, 5):
        field_args.append(SArg("contextArguments", "[join__ContextArgument!]"))
    defs.append(
        SDirectiveDef(
            "link",
            None,
            [SArg("url", "String"), SArg("as", "String"), SArg("for", "link__Purpose"), SArg("import", "[link__Import]")],
            True,
            ["SCHEMA"],
        )
    )
    return defs


def join_types(version: tuple[int, int], graphs: list[Graph]) -> list[SType]:
    """The ``join__*`` and ``link__*`` types for ``version``, with the ``join__Graph`` enum filled in."""
    types = [
        SType("SCALAR", "join__FieldSet"),
        SType(
            "ENUM",
            "join__Graph",
            values={
                g.enum: SEnumValue(g.enum, None, [f"@join__graph(name: {_str(g.name)}, url: {_str(g.url)})"])
                for g in graphs
            },
        ),
        SType("SCALAR", "link__Import"),
        SType(
            "ENUM",
            "link__Purpose",
            values={
                "SECURITY": SEnumValue(
                    "SECURITY", "`SECURITY` features provide metadata necessary to securely resolve fields."
                ),
                "EXECUTION": SEnumValue(
                    "EXECUTION", "`EXECUTION` features provide metadata necessary for operation execution."
                ),
            },
        ),
    ]
    if version >= (0, 4):
        types.append(SType("SCALAR", "join__DirectiveArguments"))
    if version >= (0, 5):
        types.append(SType("SCALAR", "join__FieldValue"))
        types.append(
            SType(
                "INPUT_OBJECT",
                "join__ContextArgument",
                input_fields={
                    "name": SArg("name", "String!"),
                    "type": SArg("type", "String!"),
                    "context": SArg("context", "String!"),
                    "selection": SArg("selection", "join__FieldValue!"),
                },
            )
        )
    return types


def _str(value: str) -> str:
    return print_string(value)
