"""The row budget (``GATEWAY_MAX_ROWS``): objects received from the subgraphs in one request, counted without a
Python walk over every object while the request is clearly under the limit.

Counting an answer's objects exactly walks every object of it (7 600 per request of bench query c, a third of the
executor's own time). An answer whose bytes the transport kept (``transport.Answer``) is first counted by an upper
bound: every JSON object starts with a ``{`` (one C-level ``bytes.count``), less the response object and its
``data`` object, which are no rows; a ``{`` inside a string only makes the bound larger. While the bounds add up
to the limit or less, the exact total is below it too and nothing is walked. Once they would exceed it, the answer
at hand is counted exactly (before it is merged anywhere, so only its own objects), and, if the total still
exceeds the limit, every earlier answer counted by its bound is counted exactly again from its bytes (decoded
anew: merged into the data, its objects now hold later answers' too). A request is therefore refused exactly when
the exact count exceeds the limit, never on a bound; the walk is paid only near the limit.
"""

from __future__ import annotations

from typing import Any

import orjson

from .tree import count_objects


def rows_of(value: Any, root: bool) -> int:
    """The rows of one answer: a root fetch's ``data`` less the object itself, or an ``_entities`` list."""
    return count_objects(value) - 1 if root else count_objects(value)


def _rows_in(raw: bytes, root: bool) -> int:
    """``rows_of`` the answer ``raw`` decodes to (0 where the executor counted nothing)."""
    decoded = orjson.loads(raw)
    data = decoded.get("data") if isinstance(decoded, dict) else None
    if not isinstance(data, dict):
        return 0
    if root:
        return rows_of(data, True)
    entities = data.get("_entities")
    return rows_of(entities, False) if isinstance(entities, list) else 0


class RowBudget:
    """One request's count of subgraph objects against ``limit`` (see the module)."""

    __slots__ = ("limit", "pending", "total")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.total = 0  # exact counts and, for the answers in ``pending``, their bounds: never below the exact
        self.pending: list[tuple[bytes, bool, int]] = []  # (bytes, root, bound) counted by their bound

    def add(self, count: int) -> bool:
        """Count ``count`` objects known exactly; True once the exact total exceeds the limit."""
        self.total += count
        return self.total > self.limit and self._settle()

    def answer(self, result: Any, value: Any, root: bool) -> bool:
        """Count the answer ``result`` whose rows are ``value`` (its ``data`` for a root fetch, else its
        ``_entities`` list), not yet merged; True once the exact total exceeds the limit."""
        raw = getattr(result, "raw", None)
        if isinstance(raw, bytes):
            bound = raw.count(b"{") - 2  # the response object and its data object are no rows
            if self.total + bound <= self.limit:
                self.total += bound
                self.pending.append((raw, root, bound))
                return False
        return self.add(rows_of(value, root))

    def _settle(self) -> bool:
        """Replace the bounds by exact counts; True if the total still exceeds the limit."""
        for raw, root, bound in self.pending:
            self.total += _rows_in(raw, root) - bound
        self.pending.clear()
        return self.total > self.limit
