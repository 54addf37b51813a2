"""Entity fetches whose answers an earlier fetch of the same request already holds (``FetchNode.reuse``).

The policy stage selects its own fields under reserved response keys (``_lt_*``, never a client's: client aliases
starting with ``_lt_`` are refused before planning): a data subject's facts object, for instance, is selected on
the row itself (``Person._lt_sf_Person``) and on every row naming that subject (``Sentence.person._lt_sf_Person``).
When the subject is the very person already fetched at the root (``person { sentences { person } }``), the second
selection costs an ``_entities`` call to the subgraph that answered the first one, for the same keys.

An entity fetch is *reusable* when, for an entity type, it selects nothing but such reserved fields (plus
``__typename``) and its representations hold nothing but the key. Its sources are the positions, in fetches it
waits for (so they are complete when it starts), where objects of that type are fetched from the same subgraph
with their key and every one of those fields, selected alike (same field, arguments and sub-selection). The
executor then fills each object whose key a source object holds with that object's values, and sends the fetch
only for the rest (none: no call). A value a source does not hold (null: unknown, or an error) is fetched again,
so what the object gets never differs from what the fetch would have answered in this request: the same subject
gets the same facts whichever path reaches it, and unknown facts stay unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graphql import GraphQLObjectType, GraphQLSchema, is_abstract_type

from .contexts import Frame
from .groups import Group, Groups
from .keys import TYPENAME, client_key
from .plan import Reuse
from .selection import SelField, SelSet

RESERVED = "_lt_"


@dataclass(frozen=True, slots=True)
class Position:
    """Objects of type ``type_name`` at response ``path``, fetched by ``group`` with selection ``selset``."""

    path: tuple[str, ...]
    type_name: str
    group: Group
    selset: SelSet
    typed: bool = False  # other types' objects may share the path: read the objects' __typename


def _policy_key(key: str) -> bool:
    """A reserved key of the policy stage's own (not the planner's alias of a client field: ``client_key``)."""
    return key.startswith(RESERVED) and client_key(key) == key


def _text(f: SelField) -> str:
    """A selected field as printed, key included: two selections of one key alike iff their texts are."""
    holder = SelSet()
    holder.fields[f.key] = f
    return holder.print()


def _reusable_fields(selset: SelSet) -> dict[str, str] | None:
    """The reserved fields (key -> printed form) of an entity part selecting nothing else, else None."""
    if selset.by_type:
        return None
    out = {k: _text(f) for k, f in selset.fields.items() if k != TYPENAME}
    if not out or not all(_policy_key(k) for k in out):
        return None
    return out


def _fields_at(position: Position, type_name: str) -> dict[str, SelField]:
    """What ``position`` selects on its objects of ``type_name`` (its fragment on the type included)."""
    fields = dict(position.selset.fields)
    fragment = position.selset.by_type.get(type_name)
    if fragment is not None:
        fields.update(fragment.fields)
    return fields


def entity_positions(groups: Groups, frames: Iterable[Frame]) -> list[Position]:
    """The planner's object positions (``frames``) and every entity part of every group, each once."""
    out: dict[tuple[tuple[str, ...], str, int], Position] = {}
    for frame in frames:
        out.setdefault((frame.path, frame.type_name, frame.group.id),
                       Position(frame.path, frame.type_name, frame.group, frame.target))
    for group in groups.by_id.values():
        for type_name, part in group.parts.items():
            out.setdefault((group.path, type_name, group.id),
                           Position(group.path, type_name, group, part.selset, typed=True))
    return list(out.values())


def reuse_of(group: Group, groups: Groups, positions: list[Position], schema: GraphQLSchema
             ) -> tuple[Reuse, ...]:
    """The sources entity ``group`` may be answered from (empty when it is not reusable: see the module)."""
    if not group.entity or group.contexts:
        return ()
    out: list[Reuse] = []
    for type_name, part in group.parts.items():
        wanted = _reusable_fields(part.selset)
        if wanted is None or len(part.field_sets) != 1 or not part.key_fields or part.typename not in ("",
                                                                                                     type_name):
            continue  # @requires or an @interfaceObject: the representation holds more than the key
        entity = schema.get_type(type_name)
        if not isinstance(entity, GraphQLObjectType):
            continue
        for position in positions:
            source = position.group
            if source.id == group.id or source.graph != group.graph or not groups.depends_on(group.id, source.id):
                continue
            named = schema.get_type(position.type_name)
            if named is not entity and not (is_abstract_type(named) and type_name in position.selset.by_type):
                continue
            fields = _fields_at(position, type_name)
            keys = [next((k for k, f in fields.items() if f.name == key and not f.arguments and f.children is None),
                         None) for key in part.key_fields]
            if None in keys or any(k not in fields or _text(fields[k]) != text for k, text in wanted.items()):
                continue
            typed = position.typed or named is not entity
            out.append(Reuse(type_name, position.path, typed, tuple(keys), tuple(wanted)))  # type: ignore[arg-type]
    return tuple(out)
