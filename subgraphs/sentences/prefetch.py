"""What ``Person.resolve_references`` of the sentences subgraph prefetches for a whole ``_entities`` call, and the
fallback of fields whose rows were not prefetched (``subgraphs.common.federation``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from subgraphs.common.errors import bad_user_input
from subgraphs.common.identifiers import personal_id_problem


async def later(pending: Awaitable[Any], build: Callable[[Any], Any]) -> Any:
    """A field's value once its loader answers (the fields without prefetched rows)."""
    return build(await pending)


def checked_personal_id(representation: dict[str, Any]) -> str:
    personal_id = representation.get("personalId")
    problem = personal_id_problem(personal_id)
    if problem:
        raise bad_user_input("personalId", problem)
    return personal_id  # type: ignore[return-value]


_PENALTY_FIELDS = {"principalPenalty", "additionalPenalties", "judicialMeasures"}


async def prefetch_children(loaders: Any, rows: list[Any], selected: set[str]) -> dict[str, dict[str, Any]]:
    """Sentence id -> ``Sentence.from_row`` keywords: the judgment, charge and penalty rows the selection needs,
    each kind through its loader (one ``IN (...)`` statement for all sentences, as the fields would send)."""
    if not rows:
        return {}
    ids = [str(r["id"]) for r in rows]
    wanted: dict[str, Awaitable[list[Any]]] = {}
    if "judgment" in selected:
        wanted["judgment_row"] = loaders.judgment.load_many([r["judgment_id"] for r in rows])
    if "charges" in selected:
        wanted["charge_rows"] = loaders.charges.load_many(ids)
    if selected & _PENALTY_FIELDS:
        wanted["penalty_rows"] = loaders.penalties.load_many(ids)
    if not wanted:
        return {}
    found = dict(zip(wanted, await asyncio.gather(*wanted.values()), strict=True))
    return {sid: {name: values[i] for name, values in found.items()} for i, sid in enumerate(ids)}
