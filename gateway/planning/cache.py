"""Bounded LRU of query plans keyed by the (execution) document, operation name and @skip/@include values."""

from __future__ import annotations

from typing import Any

from cachetools import LRUCache

from ..supergraph.documents import CacheStats, ParsedOperation, condition_values
from .plan import QueryPlan
from .planner import Planner


class PlanCache:
    def __init__(self, planner: Planner, size: int = 1000) -> None:
        self.planner = planner
        self.cache: LRUCache[tuple[str, tuple[bool, ...]], QueryPlan] = LRUCache(size)
        self.stats = CacheStats()

    def get(self, operation: ParsedOperation, variables: dict[str, Any]) -> QueryPlan:
        """The cached plan of ``operation`` for these condition values, planning it on a miss."""
        key = (operation.cache_key, condition_values(operation, variables))
        plan = self.cache.get(key)
        if plan is None:
            self.stats.misses += 1
            plan = self.planner.plan(operation, variables)
            self.cache[key] = plan
        else:
            self.stats.hits += 1
        return plan
