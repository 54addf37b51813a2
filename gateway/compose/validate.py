"""Federation checks that go beyond merging types: field sets, field sharing and reachability of fields.

* every ``@key``/``@requires``/``@provides`` field set names existing fields;
* a field of an object type resolved by more than one subgraph must be shareable in all of them (``@shareable``
  on the field or its type, or a key field);
* every field must be reachable from wherever its parent type can be obtained: if subgraph A returns a ``Person``
  and only subgraph B resolves ``Person.sentences``, B must declare a resolvable ``@key`` on ``Person`` whose
  fields A (or a subgraph reachable from A the same way) can provide. This is a simplified form of Apollo's
  satisfiability validation that catches entities without a resolvable key.
"""

from __future__ import annotations

from .fieldsets import FieldSetError, field_set_coordinates, named_type, top_level_fields
from .state import MergeState
from .subgraph import Field, Subgraph, TypeDef


def shareable_coordinates(subgraph: Subgraph) -> set[tuple[str, str]]:
    """``(type, field)`` pairs shareable in ``subgraph``: ``@shareable`` or part of a ``@key``."""
    result: set[tuple[str, str]] = set()
    for type_def in subgraph.types.values():
        for key in type_def.keys:
            try:
                result.update(field_set_coordinates(subgraph, type_def.name, key.fields))
            except FieldSetError:
                pass  # reported by validate_field_sets
        result.update((type_def.name, f.name) for f in type_def.fields.values() if f.shareable)
    return result


def validate_field_sets(state: MergeState) -> None:
    for subgraph in state.subgraphs:
        for type_def in subgraph.types.values():
            for key in type_def.keys:
                _check(state, subgraph, type_def.name, key.fields, "KEY_INVALID_FIELDS", "@key", type_def.location)
            for field in type_def.fields.values():
                if field.requires is not None:
                    _check(state, subgraph, type_def.name, field.requires, "REQUIRES_INVALID_FIELDS", "@requires",
                           field.location)
                if field.provides is not None:
                    _check(state, subgraph, named_type(field.type), field.provides, "PROVIDES_INVALID_FIELDS",
                           "@provides", field.location)


def _check(state: MergeState, subgraph: Subgraph, type_name: str, fields: str, code: str, directive: str,
           location: object) -> None:
    try:
        field_set_coordinates(subgraph, type_name, fields)
    except FieldSetError as exc:
        state.error(code, f'[{subgraph.name}] On type "{type_name}", for {directive}(fields: "{fields}"): {exc}',
                    [location])  # type: ignore[list-item]


def validate_field_sharing(state: MergeState) -> None:
    shareable = [shareable_coordinates(s) for s in state.subgraphs]
    for name, dest in state.types.items():
        if dest.kind != "OBJECT":
            continue
        for field_name in dest.fields:
            resolving = [
                (i, s.types[name].fields[field_name])
                for i, s in enumerate(state.subgraphs)
                if name in s.types and field_name in s.types[name].fields and not s.types[name].fields[field_name].external
            ]
            non_shareable = [(i, f) for i, f in resolving if (name, field_name) not in shareable[i]]
            if non_shareable and len(resolving) > 1:
                all_names = ", ".join(f'"{state.subgraphs[i].name}"' for i, _ in resolving)
                culprits = (
                    "all of them"
                    if len(non_shareable) == len(resolving)
                    else ", ".join(f'"{state.subgraphs[i].name}"' for i, _ in non_shareable)
                )
                state.error(
                    "INVALID_FIELD_SHARING",
                    f'Non-shareable field "{name}.{field_name}" is resolved from multiple subgraphs: it is resolved '
                    f"from subgraphs {all_names} and defined as non-shareable in {culprits}",
                    [f.location for _, f in resolving],
                )


def validate_reachability(state: MergeState) -> None:
    """Every field of every object type can be resolved from every subgraph that returns that type."""
    for name, dest in state.types.items():
        if dest.kind != "OBJECT" or name in ("Query", "Mutation", "Subscription"):
            continue
        for entry in _entry_subgraphs(state, name):
            reached = _reachable(state, name, entry)
            for field_name in dest.fields:
                if any(_resolves(state.subgraphs[i].types.get(name), field_name) for i in reached):
                    continue
                owners = [s for s in state.subgraphs if _resolves(s.types.get(name), field_name)]
                owner_names = ", ".join(f'"{s.name}"' for s in owners)
                locations = [s.types[name].fields[field_name].location for s in owners]
                entry_name = state.subgraphs[entry].name
                state.error(
                    "SATISFIABILITY_ERROR",
                    f'Field "{name}.{field_name}" cannot be resolved when "{name}" comes from subgraph '
                    f'"{entry_name}": it is resolved only in {owner_names}, which has no resolvable @key on '
                    f'"{name}" whose fields "{entry_name}" can provide',
                    locations,
                )


def _resolves(type_def: TypeDef | None, field_name: str) -> bool:
    field: Field | None = type_def.fields.get(field_name) if type_def is not None else None
    return field is not None and not field.external


def _entry_subgraphs(state: MergeState, type_name: str) -> list[int]:
    """Subgraphs that can hand out objects of ``type_name``: a field returns it or an abstract type containing it."""
    holders = {type_name} | {
        n for n, t in state.types.items()
        if (t.kind == "UNION" and type_name in t.members)
        or (t.kind == "INTERFACE" and n in state.types[type_name].interfaces)
    }
    result = []
    for index, subgraph in enumerate(state.subgraphs):
        if type_name not in subgraph.types:
            continue
        returns = any(
            named_type(f.type) in holders for t in subgraph.types.values() for f in t.fields.values()
        )
        if returns:
            result.append(index)
    return result


def _reachable(state: MergeState, type_name: str, entry: int) -> set[int]:
    """Subgraphs reachable from ``entry`` for ``type_name`` by jumping through resolvable keys."""
    reached = {entry}
    changed = True
    while changed:
        changed = False
        for index, subgraph in enumerate(state.subgraphs):
            type_def = subgraph.types.get(type_name)
            if index in reached or type_def is None:
                continue
            for key in type_def.keys:
                if key.resolvable is False:
                    continue
                try:
                    needed = top_level_fields(key.fields)
                except FieldSetError:
                    continue
                if all(any(_resolves(state.subgraphs[r].types.get(type_name), f) for r in reached) for f in needed):
                    reached.add(index)
                    changed = True
                    break
    return reached
