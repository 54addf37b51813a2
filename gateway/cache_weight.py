"""How much of a cache's bound one entry takes: caches of per-operation work are bounded by operation size.

The gateway keeps what it builds per operation (the validated document, the plan, the policy's collected fields,
the decision, the execution document, the compiled response walk) in LRU caches. Bounded by count alone, a
thousand entries of a typical client operation take a few megabytes, but a thousand of the largest operations the
limits admit (``GATEWAY_MAX_FIELDS`` fields, many aliases) take gigabytes: a client sending many large, different
documents, or many callers with different decisions on one large document, made the process grow to several GB
while staying within every count. So an entry weighs one unit per started :data:`FIELDS_PER_UNIT` fields of the
operation it was built for, and a cache's size (``GATEWAY_DOCUMENT_CACHE_SIZE`` ...) counts units: an operation of
up to that many fields counts as one entry, as before, and memory stays proportional to the configured size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cachetools import LRUCache

FIELDS_PER_UNIT = 32  # the size of a typical client operation: it counts as one entry

K = TypeVar("K")
V = TypeVar("V")


def units(fields: int) -> int:
    """The weight of an entry built for an operation selecting ``fields`` fields (at least 1)."""
    return 1 + max(fields, 0) // FIELDS_PER_UNIT


def weighted_lru(size: int, weigh: Callable[[Any], int]) -> LRUCache[Any, Any]:
    """An LRU holding entries whose weights (``weigh(value)``, in :func:`units`) add up to at most ``size``.

    An entry heavier than the whole cache is not kept (cachetools raises ``ValueError`` on insertion; callers
    use :func:`put`), so a single huge operation cannot evict everything else for nothing."""
    return LRUCache(maxsize=max(size, 1), getsizeof=weigh)


def put(cache: LRUCache[K, V], key: K, value: V) -> V:
    """``cache[key] = value`` unless the value alone outweighs the cache (then it is simply not cached)."""
    try:
        cache[key] = value
    except ValueError:  # too large for this cache: computed again next time, which only costs time
        pass
    return value
