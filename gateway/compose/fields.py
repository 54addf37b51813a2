"""Merging fields, arguments and input fields across subgraphs (Apollo's ``mergeField`` and friends)."""

from __future__ import annotations

from graphql.language import ast

from .fieldsets import named_type
from .model import SArg, SField
from .state import MergeState, Sources, merge_description
from .subgraph import Arg, Field
from .typerefs import is_strict_subtype, same_type
from .values import print_string, print_type, print_value


def merge_type_reference(
    state: MergeState, sources: Sources[Field] | Sources[Arg], coordinate: str, kind: str, input_position: bool
) -> tuple[str, bool]:
    """The merged type of a field/argument and whether all subgraphs agree exactly; reports mismatches."""
    dest: ast.TypeNode | None = None
    has_subtypes = has_incompatible = False
    for source in sources:
        if source is None:
            continue
        if dest is None or same_type(dest, source.type):
            dest = source.type
        elif is_strict_subtype(dest, source.type, state.is_member):
            has_subtypes = True
            if input_position:
                dest = source.type
        elif is_strict_subtype(source.type, dest, state.is_member):
            has_subtypes = True
            if not input_position:
                dest = source.type
        else:
            has_incompatible = True
    assert dest is not None, coordinate
    state.record_usage(named_type(dest), "Input" if input_position else "Output")
    if has_incompatible:
        detail = ", ".join(
            f'type "{print_type(s.type)}" in "{state.subgraphs[i].name}"' for i, s in enumerate(sources) if s
        )
        code = "ARGUMENT_TYPE_MISMATCH" if kind == "argument" else "FIELD_TYPE_MISMATCH"
        state.error(
            code,
            f'Type of {kind} "{coordinate}" is incompatible across subgraphs: it has {detail}',
            [s.location for s in sources if s],
        )
        return print_type(dest), False
    if has_subtypes:
        state.hint(
            "INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE",
            f'Type of {kind} "{coordinate}" is inconsistent but compatible across subgraphs',
        )
        return print_type(dest), False
    return print_type(dest), True


def merge_default(state: MergeState, sources: Sources[Arg], coordinate: str, kind: str) -> str | None:
    """The merged default value: kept when all agree, dropped (hint) when only some have one, error if they differ."""
    dest: str | None = None
    seen = inconsistent = incompatible = False
    for source in sources:
        if source is None:
            continue
        value = print_value(source.default) if source.default is not None else None
        if dest is None:
            if seen and value is not None:
                inconsistent = True
            dest = value
        elif value != dest:
            inconsistent = True
            incompatible = incompatible or value is not None
        seen = True
    if incompatible:
        detail = ", ".join(
            f'default {print_value(s.default) if s.default else "none"} in "{state.subgraphs[i].name}"'
            for i, s in enumerate(sources)
            if s
        )
        code = "ARGUMENT_DEFAULT_MISMATCH" if kind == "Argument" else "INPUT_FIELD_DEFAULT_MISMATCH"
        state.error(code, f'{kind} "{coordinate}" has incompatible default values across subgraphs: {detail}',
                    [s.location for s in sources if s])
        return dest
    if inconsistent:
        state.hint("INCONSISTENT_DEFAULT_VALUE_PRESENCE", f'{kind} "{coordinate}" has a default in only some subgraphs')
        return None
    return dest


def merge_argument(state: MergeState, sources: Sources[Arg], coordinate: str) -> SArg:
    arg = SArg(name=coordinate.rsplit("(", 1)[-1].rstrip(":)"), type="")
    arg.description = merge_description(state, sources, coordinate)
    state.defer_directives([s.directives if s else None for s in sources], arg.directives, coordinate)
    arg.type, _ = merge_type_reference(state, sources, coordinate, "argument", input_position=True)
    arg.default = merge_default(state, sources, coordinate, "Argument")
    return arg


def merge_arguments(state: MergeState, sources: Sources[Field], coordinate: str) -> list[SArg]:
    """Arguments present in every subgraph defining the field; an optional one missing somewhere is dropped
    (hint), a required one missing somewhere is an error."""
    names: list[str] = []
    for source in sources:
        for name in source.args if source else ():
            if name not in names:
                names.append(name)
    result: list[SArg] = []
    for name in names:
        arg_sources: Sources[Arg] = [s.args.get(name) if s else None for s in sources]
        arg_coordinate = f"{coordinate}({name}:)"
        missing = [state.subgraphs[i].name for i, s in enumerate(sources) if s is not None and name not in s.args]
        if missing:
            required = [
                state.subgraphs[i].name
                for i, a in enumerate(arg_sources)
                if a is not None and isinstance(a.type, ast.NonNullTypeNode) and a.default is None
            ]
            if required:
                state.error(
                    "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                    f'Argument "{arg_coordinate}" is required in some subgraphs but does not appear in all '
                    f"subgraphs: it is required in {', '.join(required)} but does not appear in "
                    f"{', '.join(missing)}",
                    [a.location for a in arg_sources if a],
                )
            else:
                state.hint("INCONSISTENT_ARGUMENT_PRESENCE", f'Optional argument "{arg_coordinate}" is dropped')
            continue
        result.append(merge_argument(state, arg_sources, arg_coordinate))
    return result


def merge_field(state: MergeState, sources: Sources[Field], present: list[bool], dest: SField) -> None:
    """Merge one object/interface field. ``present[i]``: does subgraph ``i`` define the parent type?"""
    coordinate = f"{next(s for s in sources if s).parent}.{dest.name}"
    if all(s is None or s.external for s in sources):
        state.error(
            "EXTERNAL_MISSING_ON_BASE",
            f'Field "{coordinate}" is marked @external on all the subgraphs in which it is listed '
            f"({state.names(sources)}).",
            [s.location for s in sources if s],
        )
        return
    resolving: Sources[Field] = [s if s is not None and not s.external else None for s in sources]
    dest.description = merge_description(state, resolving, coordinate)
    state.defer_directives([s.directives if s else None for s in resolving], dest.directives, coordinate)
    dest.args = merge_arguments(state, resolving, coordinate)
    dest.type, all_equal = merge_type_reference(state, resolving, coordinate, "field", input_position=False)
    if _needs_join_field(sources, present, all_equal):
        dest.directives.extend(_join_field(state, i, s, all_equal) for i, s in enumerate(sources) if s)


def _needs_join_field(sources: Sources[Field], present: list[bool], all_equal: bool) -> bool:
    if not all_equal:
        return True
    for source, has_type in zip(sources, present, strict=True):
        if source is None:
            if has_type:
                return True
        elif source.external or source.requires is not None or source.provides is not None:
            return True
    return False


def _join_field(state: MergeState, index: int, source: Field, all_equal: bool) -> str:
    args = [f"graph: {state.graph(index)}"]
    if source.requires is not None:
        args.append(f"requires: {print_string(source.requires)}")
    if source.provides is not None:
        args.append(f"provides: {print_string(source.provides)}")
    if not all_equal:
        args.append(f"type: {print_string(print_type(source.type))}")
    if source.external:
        args.append("external: true")
    return f"@join__field({', '.join(args)})"


def merge_input_field(
    state: MergeState, sources: Sources[Arg], present: list[bool], coordinate: str
) -> SArg | None:
    """An input object field: kept only if every subgraph defining the input type has it."""
    if any(s is None and has_type for s, has_type in zip(sources, present, strict=True)):
        required = [
            state.subgraphs[i].name
            for i, s in enumerate(sources)
            if s is not None and isinstance(s.type, ast.NonNullTypeNode) and s.default is None
        ]
        if required:
            state.error(
                "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                f'Input object field "{coordinate}" is required in some subgraphs but does not appear in all '
                f"subgraphs: it is required in {', '.join(required)}",
                [s.location for s in sources if s],
            )
        else:
            state.hint("INCONSISTENT_INPUT_OBJECT_FIELD", f'Input object field "{coordinate}" is dropped')
        return None
    dest = SArg(name=coordinate.rsplit(".", 1)[-1], type="")
    dest.description = merge_description(state, sources, coordinate)
    state.defer_directives([s.directives if s else None for s in sources], dest.directives, coordinate)
    dest.type, all_equal = merge_type_reference(state, sources, coordinate, "field", input_position=True)
    dest.default = merge_default(state, sources, coordinate, "Input field")
    if not all_equal:
        dest.directives.extend(
            f"@join__field(graph: {state.graph(i)}, type: {print_string(print_type(s.type))})"
            for i, s in enumerate(sources)
            if s
        )
    return dest
