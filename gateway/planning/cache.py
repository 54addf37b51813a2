"""Bounded LRU of query plans keyed by the (execution) document, operation name and @skip/@include values."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from cachetools import LRUCache

from ..cache_weight import put, units, weighted_lru
from ..supergraph.documents import CacheStats, ParsedOperation, condition_values
from .plan import QueryPlan
from .planner import Planner


class PlanCache:
    def __init__(self, planner: Planner, size: int = 1000) -> None:
        self.planner = planner
        # (plan, weight): weighed by the operation's size (gateway.cache_weight), not counted
        self.cache: LRUCache[tuple[str, tuple[bool, ...]], tuple[QueryPlan, int]] = weighted_lru(
            size, itemgetter(1))
        self.stats = CacheStats()

    def get(self, operation: ParsedOperation, variables: dict[str, Any]) -> QueryPlan:
        """The cached plan of ``operation`` for these condition values, planning it on a miss."""
        key = (operation.cache_key, condition_values(operation, variables))
        entry = self.cache.get(key)
        if entry is None:
            self.stats.misses += 1
            entry = put(self.cache, key, (self.planner.plan(operation, variables), units(operation.field_count)))
        else:
            self.stats.hits += 1
        return entry[0]
