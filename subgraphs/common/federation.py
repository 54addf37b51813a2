"""strawberry's federation schema, with entity types that can resolve all their representations in one call.

``_entities`` gets N representations; strawberry calls ``resolve_reference`` for each, and when that is async
graphql-core completes N coroutines, one asyncio task each, before any field below runs. For the gateway's batched
fetches (200 persons per request in the bench's query c) those tasks, and the per-person loader calls behind them,
were a large share of a subgraph's CPU (``bench/HISTORY.md``, issue 13). An entity class may define

    @classmethod
    async def resolve_references(cls, info, representations: list[dict]) -> list[object]

returning one result per representation, in order (an entity, None, or an exception for that item alone, as
``resolve_reference`` would raise it): the whole ``_entities`` list is then one await. Types without it are
resolved by strawberry exactly as before. The ``_entities`` field, its SDL and the answers are unchanged: this
is still a standard strawberry federation schema for Apollo Gateway and ours.
"""

# no `from __future__ import annotations`: strawberry reads the resolver's annotations at schema build time

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from strawberry.federation.schema import FederationAny
from strawberry.federation.schema import Schema as FederationSchema
from strawberry.types.info import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment


class Schema(FederationSchema):
    """``strawberry.federation.Schema`` whose ``_entities`` uses ``resolve_references`` where a type has it."""

    async def entities_resolver(  # type: ignore[override]
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        results: list[Any] = [None] * len(representations)
        batches: dict[str, list[int]] = defaultdict(list)
        others: list[int] = []
        for index, representation in enumerate(representations):
            type_name = representation.get("__typename")  # type: ignore[attr-defined]
            concrete = self.schema_converter.type_map.get(type_name) if isinstance(type_name, str) else None
            origin = getattr(getattr(concrete, "definition", None), "origin", None)
            if origin is not None and hasattr(origin, "resolve_references"):
                batches[type_name].append(index)
            else:
                others.append(index)
        for type_name, indexes in batches.items():
            origin = self.schema_converter.type_map[type_name].definition.origin
            reps = [{k: v for k, v in representations[i].items() if k != "__typename"}  # type: ignore[attr-defined]
                    for i in indexes]
            try:
                resolved = await origin.resolve_references(info, reps)
            except Exception as exc:  # as strawberry: the error belongs to each item
                resolved = [exc] * len(indexes)
            for i, value in zip(indexes, resolved, strict=True):
                results[i] = value
        if others:  # awaitables stay in the list: graphql-core completes them together (loaders still batch)
            single = super().entities_resolver(info, [representations[i] for i in others])
            for i, value in zip(others, single, strict=True):
                results[i] = value
        return results  # type: ignore[return-value]


@dataclass
class Selected:
    """One field as selected below ``_entities``, merged over fragments: its arguments (one dict per selection,
    variables resolved) and its own sub-fields by GraphQL name."""

    arguments: list[dict[str, Any]] = field(default_factory=list)
    fields: dict[str, "Selected"] = field(default_factory=dict)


def _merge(into: dict[str, Selected], selections: list[Any]) -> None:
    for selection in selections:
        if isinstance(selection, InlineFragment | FragmentSpread):
            _merge(into, selection.selections)
            continue
        node = into.setdefault(selection.name, Selected())
        node.arguments.append(dict(selection.arguments))
        _merge(node.fields, selection.selections)


def selected_entity_fields(info: Info) -> dict[str, Selected]:
    """The fields selected on the entities of this ``_entities`` call (through inline fragments and fragment
    spreads), by GraphQL name: a batch resolver prefetches only what is asked for, and not for arguments the
    field refuses before any database access."""
    tree: dict[str, Selected] = {}
    for entities in info.selected_fields:
        _merge(tree, entities.selections)
    return tree
