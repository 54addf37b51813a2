"""Query planning: client operation -> tree of subgraph fetches (Apollo-style Sequence/Parallel/Flatten/Fetch)."""

from .cache import PlanCache
from .plan import EntityPart, FetchNode, FlattenNode, ParallelNode, QueryPlan, ReqField, SequenceNode
from .planner import Planner, PlanningError

__all__ = [
    "EntityPart",
    "FetchNode",
    "FlattenNode",
    "ParallelNode",
    "PlanCache",
    "Planner",
    "PlanningError",
    "QueryPlan",
    "ReqField",
    "SequenceNode",
]
